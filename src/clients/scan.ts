import { basename, join, resolve } from 'node:path';
import { CliError } from '../errors.js';
import type { Env } from '../paths.js';
import { CLIENT_IDS, CLIENTS, type ClientDef, type ClientId, type Scope, type ServerSpec } from './catalog.js';
import { readClientFile, type ReadFile } from './files.js';
import { parseClientText, valueAt, type JsonPath } from './formats.js';
import { commentFindings, inputFinding, inputFindings, secretInputs, type SecretInput } from './file-secrets.js';
import { findByShape, findInArgs, findInHeader, findInKeyed, findInUrl, type SecretMatch } from './secrets.js';

/** Where in an entry a secret is. */
export type FieldRef =
  | { part: 'env' | 'headers'; key: string }
  | { part: 'args'; index: number }
  | { part: 'url' | 'command' | 'cwd' }
  /** Anywhere else in the raw entry (a Zed extension's settings, say): read, reported, not moved; of a file's own findings, in the file. */
  | { part: 'raw'; path: JsonPath }
  /** A comment of the file: reported, never moved (nothing can refer to the store from a comment). */
  | { part: 'comment'; line: number };

export interface Finding {
  field: FieldRef;
  match: SecretMatch;
  /** The secret itself: only ever stored or compared, never shown. */
  value: string;
  /** The secret is the default of this input of the file (VS Code), which the field names as `${input:id}` at `match`. */
  input?: { index: number; id: string };
}

export interface FoundServer {
  name: string;
  /** Path of the entry in the file's data. */
  entryPath: JsonPath;
  /** Claude Code's per-project entries in ~/.claude.json: `local: /path`. */
  label?: string;
  raw: Record<string, unknown>;
  spec?: ServerSpec;
  unsupported?: string;
  /** The server of server_config.json the entry already launches through `mcp-cli run`. */
  viaMcpCli?: string;
  findings: Finding[];
}

export interface ClientFile {
  client: ClientDef;
  path: string;
  scope: Scope;
  /** For project files: the project directory. */
  project?: string;
  file?: ReadFile;
  data?: unknown;
  /** Why the file could not be read or parsed (path, line and column; never its text). */
  error?: string;
  servers: FoundServer[];
  /** Secrets of the file outside its servers' fields: in comments, and input defaults no server uses. */
  findings: Finding[];
}

export function describeField(field: FieldRef): string {
  if (field.part === 'env' || field.part === 'headers') return `${field.part}.${field.key}`;
  if (field.part === 'args') return `args[${field.index}]`;
  if (field.part === 'raw') return field.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  if (field.part === 'comment') return `comment (line ${field.line})`;
  return field.part;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `mcp-cli run NAME` or `node …/cli.js run NAME`, exactly (nothing else on the line, which could
 * run something else first): the name, else undefined.
 */
export function launchedServer(spec: ServerSpec): string | undefined {
  if (spec.transport !== 'stdio' || !spec.command) return undefined;
  const run = spec.args.length - 2;
  if (run < 0 || spec.args[run] !== 'run' || spec.args[run + 1]!.startsWith('-')) return undefined;
  const program = [spec.command, ...spec.args.slice(0, run)].map((p) => basename(p.replace(/\\/g, '/')));
  const mcpCli = (p: string) => /^mcp-cli(\.cmd|\.exe|\.ps1)?$/i.test(p);
  const direct = program.length === 1 && mcpCli(program[0]!);
  const throughNode = program.length === 2 && /^node(\.exe)?$/i.test(program[0]!) && (program[1] === 'cli.js' || mcpCli(program[1]!));
  return direct || throughNode ? spec.args[run + 1] : undefined;
}

type StringField = { field: FieldRef; value: string };

/** The strings of an entry that become server_config.json's: command, args, env, cwd, url, headers. */
export function fieldsOf(spec: ServerSpec): StringField[] {
  const out: StringField[] = [];
  if (spec.command !== undefined) out.push({ field: { part: 'command' }, value: spec.command });
  spec.args.forEach((value, index) => out.push({ field: { part: 'args', index }, value }));
  for (const [key, value] of Object.entries(spec.env)) out.push({ field: { part: 'env', key }, value });
  if (spec.cwd !== undefined) out.push({ field: { part: 'cwd' }, value: spec.cwd });
  if (spec.url !== undefined) out.push({ field: { part: 'url' }, value: spec.url });
  for (const [key, value] of Object.entries(spec.headers)) out.push({ field: { part: 'headers', key }, value });
  return out;
}

function findingsOf(spec: ServerSpec, raw: Record<string, unknown>, known: Set<string>, inputs: Map<string, SecretInput> = new Map()): Finding[] {
  const out: Finding[] = [];
  const add = (field: FieldRef, text: string, matches: SecretMatch[]) => {
    for (const match of matches) out.push({ field, match, value: text.slice(match.start, match.end) });
  };
  for (const { field, value } of fieldsOf(spec)) out.push(...inputFindings(field, value, inputs));
  for (const [key, value] of Object.entries(spec.env)) add({ part: 'env', key }, value, findInKeyed(key, value));
  for (const [key, value] of Object.entries(spec.headers)) add({ part: 'headers', key }, value, findInHeader(key, value));
  for (const [index, matches] of findInArgs(spec.args)) add({ part: 'args', index }, spec.args[index]!, matches);
  if (spec.url !== undefined) add({ part: 'url' }, spec.url, findInUrl(spec.url));
  if (spec.command !== undefined) add({ part: 'command' }, spec.command, findByShape(spec.command));
  if (spec.cwd !== undefined) add({ part: 'cwd' }, spec.cwd, findByShape(spec.cwd));
  // Whatever else the entry holds (a Zed extension's settings): by key name and shape, reported only.
  const walk = (node: unknown, path: JsonPath) => {
    if (typeof node === 'string') {
      const key = String(path[path.length - 1] ?? '');
      add({ part: 'raw', path }, node, typeof path[path.length - 1] === 'number' ? findByShape(node) : findInKeyed(key, node));
    } else if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, i]));
    else if (isObject(node)) for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  for (const [key, value] of Object.entries(raw)) if (!known.has(key)) walk(value, [key]);
  return out;
}

// Fields each client's reader turns into the spec: everything else in an entry is walked for secrets as it is.
const SPEC_KEYS = new Set(['command', 'args', 'env', 'envs', 'cwd', 'url', 'serverUrl', 'uri', 'headers', 'cmd', 'envFile', 'env_keys']);

const NO_SPEC: ServerSpec = { transport: 'stdio', args: [], env: {}, headers: {}, envKeys: [] };

/** The secrets one entry holds, read as the client reads its entries. */
export function entryFindings(client: ClientDef, raw: Record<string, unknown>): Finding[] {
  const read = client.read(raw);
  return 'unsupported' in read ? findingsOf(NO_SPEC, raw, new Set()) : findingsOf(read, raw, SPEC_KEYS);
}

/** The servers of a file's data, each with the secrets found in it (`${input:id}` of a secret input included). */
export function serversOf(client: ClientDef, data: unknown, scope: Scope): FoundServer[] {
  const inputs = secretInputs(client, data);
  const servers: FoundServer[] = [];
  for (const container of client.containers(data, scope)) {
    const object = valueAt(data, container.path);
    if (!isObject(object)) continue;
    for (const [name, raw] of Object.entries(object)) {
      if (!isObject(raw)) continue;
      const read = client.read(raw);
      const base = { name, entryPath: [...container.path, name], ...(container.label ? { label: container.label } : {}), raw };
      if ('unsupported' in read) {
        servers.push({
          ...base,
          unsupported: read.unsupported,
          findings: findingsOf(NO_SPEC, raw, new Set()),
        });
        continue;
      }
      const via = launchedServer(read);
      servers.push({ ...base, spec: read, ...(via !== undefined ? { viaMcpCli: via } : {}), findings: findingsOf(read, raw, SPEC_KEYS, inputs) });
    }
  }
  return servers;
}

/** The file's own secrets: in comments, and the defaults of secret inputs that no server's fields use. */
function fileFindings(client: ClientDef, text: string, data: unknown, servers: FoundServer[]): Finding[] {
  const used = new Set(servers.flatMap((s) => s.findings.flatMap((f) => (f.input ? [f.input.id] : []))));
  const unused = [...secretInputs(client, data).values()].filter((input) => !used.has(input.id)).map((input) => inputFinding(client, input));
  return [...commentFindings(client, text), ...unused];
}

/** Reads and parses one client file; a missing file has no `file`, an unreadable or malformed one an `error`. */
export function loadClientFile(client: ClientDef, path: string, scope: Scope, project?: string): ClientFile {
  const base = { client, path, scope, ...(project !== undefined ? { project } : {}), servers: [], findings: [] };
  let file: ReadFile | undefined;
  try {
    file = readClientFile(path);
  } catch (error) {
    if (error instanceof CliError) return { ...base, error: error.message };
    throw error;
  }
  if (!file) return base;
  try {
    const data = parseClientText(client.format, file.text, path);
    const servers = serversOf(client, data, scope);
    return { ...base, file, data, servers, findings: fileFindings(client, file.text, data, servers) };
  } catch (error) {
    if (error instanceof CliError) return { ...base, file, error: error.message };
    // The parser's own limits (YAML's alias count, a nesting too deep): named by the error's kind, never by the file's text.
    if (error instanceof Error) return { ...base, file, error: `${path}: cannot be read as ${client.format} (${error.name}); the file was left as it is` };
    throw error;
  }
}

export interface ScanScope {
  env: Env;
  platform: NodeJS.Platform;
  /** A project directory: its project files instead of the user's. */
  project?: string;
  clients?: ClientId[];
}

/** The client files that exist (or cannot be read), in the user's home or in a project. */
export function scanClients(scope: ScanScope): ClientFile[] {
  const files: ClientFile[] = [];
  for (const id of scope.clients ?? CLIENT_IDS) {
    const client = CLIENTS[id];
    const paths = scope.project !== undefined ? client.projectFiles.map((p) => join(resolve(scope.project!), p)) : client.userFiles(scope.env, scope.platform);
    for (const path of paths) {
      const loaded = loadClientFile(client, path, scope.project !== undefined ? 'project' : 'user', scope.project);
      if (loaded.file || loaded.error) files.push(loaded);
    }
  }
  return files;
}
