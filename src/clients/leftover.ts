import { CliError } from '../errors.js';
import { CLIENTS, type ClientDef } from './catalog.js';
import { offsetOf, position } from './formats.js';
import type { ImportItem } from './plan.js';
import { describeField, entryFindings, type ClientFile } from './scan.js';

/**
 * An import leaves no value that looks like a secret in plaintext in what it writes: neither in the
 * entries it writes (server_config.json's and the client's), nor in a client file it rewrites. Each
 * refusal names the file, the line or the field, and the kind of secret; never the value.
 */

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

/**
 * The secrets of a file outside its servers (in comments; input defaults that no server moved by
 * this import uses) would stay in it. A comment cannot refer to the token store, and mcp-cli does not
 * rewrite a person's comments: the import stops, and says where.
 */
export function checkFileSecrets(file: ClientFile, movedInputs: Set<number>): void {
  for (const finding of file.findings) {
    if (finding.input && movedInputs.has(finding.input.index)) continue;
    const kind = `${finding.match.kind}, ${finding.match.label}`;
    if (finding.field.part === 'comment')
      throw new CliError(
        `${file.path}:${finding.field.line}: a comment holds what looks like a secret (${kind}); a comment cannot refer to the token store, and mcp-cli does not rewrite comments; nothing was changed`,
        1,
        'delete the secret from the comment (and rotate it if it was ever valid), then import again',
      );
    const offset = finding.field.part === 'raw' && file.file ? offsetOf(file.client.format, file.file.text, finding.field.path) : undefined;
    const line = offset !== undefined ? `:${position(file.file!.text, offset).line}` : '';
    throw new CliError(
      `${file.path}${line}: ${describeField(finding.field)} holds what looks like a secret (${kind}), and no server this import moves uses it; nothing was changed`,
      1,
      'delete it from the file (or import the servers that use it), then import again',
    );
  }
}

// server_config.json's entries are read like Claude Code's: command, args, env, url, headers, type.
const OWN_ENTRY_READER = CLIENTS['claude-code'];

/** What an import writes for a server, read back as each reader will: a value that still looks secret stops the import. */
export function checkWrittenEntries(client: ClientDef, item: ImportItem, configPath: string): void {
  const written = [
    { path: configPath, entry: `mcpServers.${item.serverName}`, findings: entryFindings(OWN_ENTRY_READER, item.configEntry) },
    { path: item.file.path, entry: item.server.entryPath.join('.'), findings: entryFindings(client, item.entry) },
  ];
  for (const { path, entry, findings } of written) {
    const [first] = findings;
    if (first)
      throw new CliError(
        `${path}: ${entry}.${describeField(first.field)} would still hold what looks like a secret (${first.match.kind}, ${first.match.label}) after the import; nothing was changed`,
        1,
        'move that value into the token store by hand (mcp-cli token set) and refer to it with ${TOKEN:namespace:name}',
      );
  }
}
