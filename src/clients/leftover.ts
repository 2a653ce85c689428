import { CliError } from '../errors.js';

/**
 * A moved secret must not stay in a file the import rewrites: a YAML anchor the entry's value was an
 * alias of keeps it on the anchor's line, and so does a second copy the import does not rewrite.
 * The value is looked for as written and as JSON escapes it.
 */
export function checkNoSecretLeft(path: string, text: string, secrets: string[]): void {
  const forms = secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]).filter((s) => s.length > 0);
  const at = Math.min(...forms.map((s) => text.indexOf(s)).filter((i) => i >= 0));
  if (!Number.isFinite(at)) return;
  const line = text.slice(0, at).split('\n').length;
  throw new CliError(
    `${path}:${line}: a secret this import moves into the store would still be in the file after it (through a YAML anchor, or a copy elsewhere); nothing was changed`,
    1,
    `replace what line ${line} of ${path} holds there by hand (an alias by its value, say), then import again`,
  );
}
