// MCP clients' own config files, as each client writes them (comments where the format allows),
// with plaintext sentinel secrets; and how each client launches an entry of its file.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { ACCOUNT_VARIABLES, CLI, type Sandbox } from './cli.js';
import { STDIO_SERVER } from './mcp-servers.js';

export const sentinel = (label: string) => `SENTINEL-${label}-${randomBytes(12).toString('hex')}`;

/** Every file under `dir`, with its bytes. */
export async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(path, await readFile(path));
  }
  return out;
}

export async function writeText(path: string, text: string, mode = 0o644): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  await chmod(path, mode);
  return path;
}

/** A `mcp-cli` on PATH that runs the built CLI, as an installed mcp-cli would. */
export async function installShim(dir: string): Promise<string> {
  const shim = join(dir, 'mcp-cli');
  await writeText(shim, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, 0o755);
  return dir;
}

export interface Launch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

const strings = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);
const record = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, string>) : {});

/**
 * What a client starts for one entry of its file, read the way the client reads it: command, args
 * and env (goose: cmd, args, envs; VS Code under `servers`; Zed under `context_servers`).
 */
export async function launchOf(client: string, path: string, name: string, container: (string | number)[]): Promise<Launch> {
  const text = await readFile(path, 'utf8');
  let node: unknown = client === 'goose' ? parseYaml(text) : parseJsonc(text, [], { allowTrailingComma: true });
  for (const part of [...container, name]) node = (node as Record<string | number, unknown>)[part];
  const entry = node as Record<string, unknown>;
  if (client === 'goose') {
    if (entry.type !== 'stdio') throw new Error(`goose entry ${name} is not stdio`);
    return { command: String(entry.cmd), args: strings(entry.args), env: record(entry.envs) };
  }
  if (client === 'vscode' && entry.type !== 'stdio') throw new Error(`VS Code entry ${name} is not stdio`);
  return { command: String(entry.command), args: strings(entry.args), env: record(entry.env) };
}

export const stdioServer = (env: Record<string, string>, args: string[] = []) => ({ command: process.execPath, args: [STDIO_SERVER, ...args], env });

/**
 * Launches an entry as its client would: the command, args and env of the rewritten file, in the
 * sandbox's HOME, with the client's PATH (`pathDir`, where an `mcp-cli` shim is, first).
 */
export async function connectAsClient(sandbox: Sandbox, launch: Launch, pathDir: string): Promise<{ client: Client; stderr: () => string }> {
  const env: Record<string, string> = {};
  for (const key of ['HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'MCP_CLI_ENCRYPTION_KEY', 'MCP_CLI_TOKEN_BACKEND', ...ACCOUNT_VARIABLES])
    if (sandbox.env[key] !== undefined) env[key] = sandbox.env[key];
  env.PATH = [pathDir, process.env.PATH].join(delimiter);
  const transport = new StdioClientTransport({ command: launch.command, args: launch.args, env: { ...env, ...launch.env }, cwd: sandbox.home, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const client = new Client({ name: 'clients-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

export const textOf = (result: unknown) => (result as { content: { text: string }[] }).content[0]!.text;

/**
 * How the newer clients start an entry of their file: where the entry is, and the process
 * environment each builds for it (from its own environment `own`), as their sources do:
 * - Codex: HOME, LOGNAME, PATH, SHELL, USER, LANG, LC_ALL, TERM, TMPDIR, TZ and the names in
 *   `env_vars` (codex-rs/rmcp-client/src/utils.rs), then `env` as written;
 * - Cline: the MCP SDK's default environment (HOME, LOGNAME, PATH, SHELL, TERM, USER), then `env`
 *   with `${env:NAME}` expanded (apps/vscode/src/services/mcp/McpHub.ts, utils/envExpansion.ts);
 * - Continue: HOME, USER, USERPROFILE, LOGNAME, USERNAME and PATH, then `env` with
 *   `${{ secrets.NAME }}` read from its environment (core/context/mcp/MCPConnection.ts);
 * - Gemini CLI: its environment without variables named like secrets (*TOKEN*, *KEY*, *SECRET*,
 *   *PASSWORD*, *AUTH*, *CREDENTIAL*, *CERT*...), then `env` with `$NAME`, `${NAME}` expanded
 *   (packages/core/src/services/environmentSanitization.ts, packages/cli/src/utils/envVarResolver.ts);
 * - Copilot CLI: a few safe variables (modelled as the SDK default), then `env` with `${NAME}`;
 * - OpenCode (`{env:NAME}`), Kiro (`${NAME}`), Crush (`$NAME`), LM Studio: their whole environment,
 *   then the entry's.
 */
export type Policy = 'codex' | 'cline' | 'continue' | 'gemini' | 'copilot-cli' | 'opencode' | 'kiro' | 'crush' | 'lm-studio';

const CODEX_DEFAULT = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'USER', '__CF_USER_TEXT_ENCODING', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ'];
const SDK_DEFAULT = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'];
const CONTINUE_DEFAULT = ['HOME', 'USER', 'USERPROFILE', 'LOGNAME', 'USERNAME', 'PATH'];
const GEMINI_ALWAYS = new Set(['PATH', 'HOME', 'LANG', 'SHELL', 'TMPDIR', 'USER', 'LOGNAME', 'TERM', 'COLORTERM']);
const GEMINI_NEVER = [/TOKEN/i, /SECRET/i, /PASSWORD/i, /PASSWD/i, /KEY/i, /AUTH/i, /CREDENTIAL/i, /CREDS/i, /PRIVATE/i, /CERT/i];

const pick = (own: Record<string, string>, names: string[]) => Object.fromEntries(names.filter((n) => own[n] !== undefined).map((n) => [n, own[n]!]));

const EXPAND: Partial<Record<Policy, (value: string, own: Record<string, string>) => string>> = {
  cline: (v, own) => v.replace(/\$\{env:([^}]+)\}/g, (m, n: string) => own[n.trim()] ?? m),
  continue: (v, own) => v.replace(/\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}/g, (m, n: string) => own[n] ?? m),
  gemini: (v, own) => v.replace(/\$(?:(\w+)|\{([^}]+?)(?::-([^}]*))?\})/g, (m, a?: string, b?: string, d?: string) => own[a ?? b ?? ''] ?? d ?? m),
  'copilot-cli': (v, own) => v.replace(/\$(?:(\w+)|\{([^}]+?)(?::-([^}]*))?\})/g, (m, a?: string, b?: string, d?: string) => own[a ?? b ?? ''] ?? d ?? m),
  opencode: (v, own) => v.replace(/\{env:([^}]+)\}/g, (_m, n: string) => own[n] ?? ''),
  kiro: (v, own) => v.replace(/\$\{([^}]+)\}/g, (m, n: string) => own[n] ?? m),
  crush: (v, own) => v.replace(/\$\{([^}]+)\}|\$([A-Za-z_]\w*)/g, (_m, a?: string, b?: string) => own[a ?? b ?? ''] ?? ''),
};

/** The entry `name` of a client's file, read as that client reads it, and what it starts, with which environment. */
export async function clientLaunch(policy: Policy, path: string, entryPath: (string | number)[], own: Record<string, string>): Promise<Launch> {
  const text = await readFile(path, 'utf8');
  let node: unknown = policy === 'codex' ? parseToml(text) : policy === 'continue' ? parseYaml(text) : parseJsonc(text, [], { allowTrailingComma: true });
  for (const part of entryPath) node = (node as Record<string | number, unknown>)[part];
  const entry = node as Record<string, unknown>;
  const expand = (v: string) => EXPAND[policy]?.(v, own) ?? v;
  const written = Object.fromEntries(Object.entries(record(policy === 'opencode' ? entry.environment : entry.env)).map(([k, v]) => [k, expand(v)]));
  const [command, ...args] = policy === 'opencode' ? strings(entry.command) : [String(entry.command), ...strings(entry.args)];
  if (policy === 'opencode' && entry.type !== 'local') throw new Error(`OpenCode entry is ${String(entry.type)}, not local`);
  if ((policy === 'crush' || policy === 'cline') && entry.type !== undefined && entry.type !== 'stdio') throw new Error(`${policy} entry is not stdio`);
  const base =
    policy === 'codex'
      ? pick(own, [...CODEX_DEFAULT, ...strings(entry.env_vars)])
      : policy === 'cline' || policy === 'copilot-cli'
        ? pick(own, SDK_DEFAULT)
        : policy === 'continue'
          ? pick(own, CONTINUE_DEFAULT)
          : policy === 'gemini'
            ? Object.fromEntries(Object.entries(own).filter(([k]) => GEMINI_ALWAYS.has(k) || !GEMINI_NEVER.some((p) => p.test(k))))
            : { ...own };
  return { command: command!, args: args.map(expand), env: { ...base, ...written } };
}

/** Starts what a client would start, with exactly the environment given (and the sandbox's account database, which stands in for /etc/passwd). */
export async function connectLaunch(sandbox: Sandbox, launch: Launch): Promise<{ client: Client; stderr: () => string }> {
  const env = { ...launch.env };
  for (const key of ACCOUNT_VARIABLES) if (sandbox.env[key] !== undefined) env[key] = sandbox.env[key];
  if (sandbox.env.TEST_ACCOUNT_HOME !== undefined) env.TEST_ACCOUNT_HOME = sandbox.env.TEST_ACCOUNT_HOME;
  const transport = new StdioClientTransport({ command: launch.command, args: launch.args, env, cwd: sandbox.home, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const client = new Client({ name: 'clients-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}
