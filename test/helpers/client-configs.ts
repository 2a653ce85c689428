// MCP clients' own config files, as each client writes them (comments where the format allows),
// with plaintext sentinel secrets; and how each client launches an entry of its file.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { parse as parseJsonc } from 'jsonc-parser';
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
