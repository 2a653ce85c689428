import { basename } from 'node:path';
import type { EnvReference, Segment } from './references.js';

/**
 * What decides where a server's secrets go: the URL it connects to, the program that runs (its command,
 * its directory, the arguments of a program that runs what they name), a variable of its environment
 * that names a place or changes the program. `clients import` keeps a client's variables out of these
 * fields of an entry that carries a secret, and mcp-cli refuses a `${VAR}` there (docs/config.md).
 */

// Variables that decide which program runs, or what it loads first.
const PROGRAM_VARIABLES = new Set([
  'PATH',
  'NODE_OPTIONS',
  'NODE_PATH',
  'PYTHONPATH',
  'PYTHONSTARTUP',
  'PYTHONHOME',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'DYLD_INSERT_LIBRARIES',
  'DYLD_LIBRARY_PATH',
  'PERL5OPT',
  'PERL5LIB',
  'RUBYOPT',
  'RUBYLIB',
  'JAVA_TOOL_OPTIONS',
  'BASH_ENV',
  'ENV',
]);
// Words of a variable's name that say where a server connects.
const PLACE_WORDS = new Set(['URL', 'URI', 'HOST', 'HOSTNAME', 'ENDPOINT', 'SERVER', 'ADDR', 'ADDRESS', 'BASE', 'DOMAIN', 'ORIGIN', 'PROXY']);

// Programs whose arguments name the code they run: an interpreter's script, a package runner's package, a container's image.
const RUNS_ITS_ARGUMENTS =
  /^(?:node|nodejs|deno|bun|bunx|npx|pnpx|pnpm|npm|yarn|uv|uvx|pipx|python[\d.]*|py|ruby|perl|php|java|dotnet|go|sh|bash|zsh|dash|fish|cmd|powershell|pwsh|docker|podman|env)$/i;

/** Whether a program's arguments name the code it runs (`node server.js`, `npx pkg`, `docker run image`). */
export function argumentsNameTheProgram(command: string): boolean {
  return RUNS_ITS_ARGUMENTS.test(basename(command.replace(/\\/g, '/')).replace(/\.(?:exe|cmd)$/i, ''));
}

/** Whether a variable given to a server names where it connects (`API_URL`, `githubHost`) or changes the program (`NODE_OPTIONS`). */
export function variableDecidesDestination(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/);
  return PROGRAM_VARIABLES.has(name.toUpperCase()) || words.some((w) => PLACE_WORDS.has(w));
}

export type DestinationKind = 'connects' | 'runs';

// Fields that hold a URL: a reference decides the destination there only before the path begins.
const URL_FIELDS = new Set(['url', 'oauth.issuer', 'oauth.authServerMetadataUrl']);

/**
 * Whether a field of a server_config.json entry, as src/config/resolve.ts names them (`url`, `command`,
 * `args[2]`, `env.API_URL`, `tls.ca`, `oauth.issuer`), decides where the server's secrets go: `connects`
 * for where it connects (or whom it trusts to be that place), `runs` for which program runs.
 */
export function destinationOf(field: string, command: string | undefined): DestinationKind | undefined {
  if (URL_FIELDS.has(field) || field === 'tls.ca') return 'connects';
  if (field === 'command' || field === 'cwd') return 'runs';
  if (field.startsWith('args[')) return command !== undefined && argumentsNameTheProgram(command) ? 'runs' : undefined;
  return field.startsWith('env.') ? kindOfVariable(field.slice('env.'.length)) : undefined;
}

// A URL whose scheme and authority (userinfo, host, port) have ended: what follows is its path, query or fragment.
const PAST_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*[/?#]/;

/** What a variable decides by its name alone (`API_URL`, `NODE_OPTIONS`), wherever a program reads it. */
function kindOfVariable(name: string): DestinationKind | undefined {
  if (!variableDecidesDestination(name)) return undefined;
  return PROGRAM_VARIABLES.has(name.toUpperCase()) ? 'runs' : 'connects';
}

/**
 * The first variable reference in a field that decides the destination, with what it decides: any
 * `${VAR}` in such a field, except in the path, query or fragment of a URL (the host stays the one
 * written); and in any argument or variable of a program, a `${VAR}` whose name names a place or
 * changes the program (`--api ${GITHUB_API_URL}`).
 */
export function variableDestination(
  field: string,
  segments: Segment[],
  command: string | undefined,
): { variable: EnvReference; kind: DestinationKind } | undefined {
  const kind = destinationOf(field, command);
  const programInput = field.startsWith('args[') || field.startsWith('env.');
  let before = '';
  for (const segment of segments) {
    if (segment.kind === 'env') {
      if (kind !== undefined && !(URL_FIELDS.has(field) && PAST_AUTHORITY.test(before))) return { variable: segment, kind };
      const named = programInput ? kindOfVariable(segment.variable) : undefined;
      if (named !== undefined) return { variable: segment, kind: named };
    }
    // A reference stands for some text without "/", "?" or "#": where the path begins is decided by the literal text.
    before += segment.kind === 'text' ? segment.text : 'x';
  }
  return undefined;
}
