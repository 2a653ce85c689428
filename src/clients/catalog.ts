import { posix, win32 } from 'node:path';
import type { Env } from '../paths.js';

/**
 * The MCP clients mcp-cli knows, where each keeps its servers, and the shape of an entry there.
 * docs/clients.md says where each fact comes from.
 */
export const CLIENT_IDS = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'windsurf', 'zed', 'goose'] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

export function isClientId(value: string): value is ClientId {
  return (CLIENT_IDS as readonly string[]).includes(value);
}

export type FileFormat = 'json' | 'yaml';
export type Scope = 'user' | 'project';

/** A server entry as mcp-cli understands it, whatever the client calls its fields. */
export interface ServerSpec {
  transport: 'stdio' | 'http' | 'sse';
  command?: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  url?: string;
  headers: Record<string, string>;
  /** Cursor, VS Code: a file of variables the client loads for the server. */
  envFile?: string;
  /** Goose: names of secrets goose keeps itself and sets in the server's environment. */
  envKeys: string[];
}

/** What a client's entry turns into to launch `mcp-cli run NAME`: property changes, the rest of the entry kept. */
export interface EntryRewrite {
  set: Record<string, unknown>;
  remove: string[];
}

export interface Launch {
  command: string;
  args: string[];
  /** Variables the client expands itself and passes on, for `${VAR}` references in server_config.json. */
  env: Record<string, string>;
}

/** An object of servers in a file: `mcpServers`, `servers`, `context_servers`, `extensions`, or one project's in ~/.claude.json. */
export interface Container {
  path: string[];
  /** `local: /path/to/project` for Claude Code's per-project entries; otherwise undefined. */
  label?: string;
}

export interface ClientDef {
  id: ClientId;
  name: string;
  format: FileFormat;
  /** A desktop application: on macOS it starts servers with launchd's minimal PATH, not the shell's. */
  gui: boolean;
  /** Whether the client expands `${...}` in values itself (then such values are passed on through the environment). */
  interpolates: boolean;
  userFiles(env: Env, platform: NodeJS.Platform): string[];
  /** Paths relative to a project directory. */
  projectFiles: string[];
  containers(data: unknown, scope: Scope): Container[];
  /** Where the file defines the `${input:id}` variables its entries use, with their defaults (VS Code's `inputs`). */
  inputs?: string[];
  /** The entry as mcp-cli understands it, or why it cannot be used (an extension's server, a built-in). */
  read(raw: Record<string, unknown>): ServerSpec | { unsupported: string };
  rewrite(launch: Launch, raw: Record<string, unknown>): EntryRewrite;
  /** Fields a new entry needs besides how to launch it (goose: its name, enabled, a timeout). */
  newEntry?(name: string): Record<string, unknown>;
}

function pathApi(platform: NodeJS.Platform) {
  return platform === 'win32' ? win32 : posix;
}

function homeOf(env: Env, platform: NodeJS.Platform): string {
  return (platform === 'win32' ? env.USERPROFILE || env.HOME : env.HOME) ?? '';
}

/** `%APPDATA%` on Windows, `~/Library/Application Support` on macOS, `$XDG_CONFIG_HOME` (else `~/.config`) on Linux. */
function appData(env: Env, platform: NodeJS.Platform): string {
  const path = pathApi(platform);
  const home = homeOf(env, platform);
  if (platform === 'win32') return env.APPDATA || path.join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
}

/** `$XDG_CONFIG_HOME` (else `~/.config`) on Linux and macOS alike, for tools that use it on both. */
function xdgConfig(env: Env, platform: NodeJS.Platform): string {
  const path = pathApi(platform);
  return env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) && platform === 'linux'
    ? env.XDG_CONFIG_HOME
    : path.join(homeOf(env, platform), '.config');
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const stringMap = (value: unknown): Record<string, string> =>
  isObject(value) ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The common `mcpServers` entry: command/args/env, or url/headers (Claude Desktop, Claude Code, Cursor, Windsurf). */
function readCommon(raw: Record<string, unknown>, urlKeys: string[]): ServerSpec | { unsupported: string } {
  const url = urlKeys.map((k) => str(raw[k])).find((u) => u !== undefined);
  const command = str(raw.command);
  const base = { args: strings(raw.args), env: stringMap(raw.env), headers: stringMap(raw.headers), envKeys: [] };
  const extra = { ...(str(raw.envFile) !== undefined ? { envFile: str(raw.envFile) } : {}), ...(str(raw.cwd) !== undefined ? { cwd: str(raw.cwd) } : {}) };
  if (command !== undefined) return { transport: 'stdio', command, ...base, ...extra };
  if (url !== undefined) return { transport: raw.type === 'sse' || raw.transport === 'sse' ? 'sse' : 'http', url, ...base, ...extra };
  return { unsupported: 'it has neither a command nor a URL' };
}

const TRANSPORT_KEYS = ['command', 'args', 'env', 'envFile', 'cwd', 'url', 'serverUrl', 'headers', 'type', 'transport'];

function rewriteCommon(launch: Launch, raw: Record<string, unknown>, withType: boolean): EntryRewrite {
  const set: Record<string, unknown> = { ...(withType ? { type: 'stdio' } : {}), command: launch.command, args: launch.args };
  if (Object.keys(launch.env).length > 0) set.env = launch.env;
  return { set, remove: TRANSPORT_KEYS.filter((k) => k in raw && !(k in set)) };
}

const mcpServers = (): Container[] => [{ path: ['mcpServers'] }];

const claudeDesktop: ClientDef = {
  id: 'claude-desktop',
  name: 'Claude Desktop',
  format: 'json',
  gui: true,
  interpolates: false,
  userFiles: (env, platform) => [pathApi(platform).join(appData(env, platform), 'Claude', 'claude_desktop_config.json')],
  projectFiles: [],
  containers: mcpServers,
  read: (raw) => readCommon(raw, ['url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw, false),
};

const claudeCode: ClientDef = {
  id: 'claude-code',
  name: 'Claude Code',
  format: 'json',
  gui: false,
  interpolates: true,
  userFiles: (env, platform) => [pathApi(platform).join(homeOf(env, platform), '.claude.json')],
  projectFiles: ['.mcp.json'],
  // ~/.claude.json: user-scope servers at the top, and each project's own ("local" scope) under projects.
  containers: (data, scope) => {
    const found: Container[] = [{ path: ['mcpServers'] }];
    if (scope === 'user' && isObject(data) && isObject(data.projects)) {
      for (const [dir, project] of Object.entries(data.projects)) {
        if (isObject(project) && isObject(project.mcpServers)) found.push({ path: ['projects', dir, 'mcpServers'], label: `local: ${dir}` });
      }
    }
    return found;
  },
  read: (raw) => readCommon(raw, ['url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw, true),
};

const cursor: ClientDef = {
  id: 'cursor',
  name: 'Cursor',
  format: 'json',
  gui: true,
  interpolates: true,
  userFiles: (env, platform) => [pathApi(platform).join(homeOf(env, platform), '.cursor', 'mcp.json')],
  projectFiles: ['.cursor/mcp.json'],
  containers: mcpServers,
  read: (raw) => readCommon(raw, ['url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw, false),
};

const vscode: ClientDef = {
  id: 'vscode',
  name: 'VS Code',
  format: 'json',
  gui: true,
  interpolates: true,
  userFiles: (env, platform) => [pathApi(platform).join(appData(env, platform), 'Code', 'User', 'mcp.json')],
  projectFiles: ['.vscode/mcp.json'],
  containers: () => [{ path: ['servers'] }],
  inputs: ['inputs'],
  read: (raw) => readCommon(raw, ['url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw, true),
};

const windsurf: ClientDef = {
  id: 'windsurf',
  name: 'Windsurf',
  format: 'json',
  gui: true,
  interpolates: true,
  userFiles: (env, platform) => [pathApi(platform).join(homeOf(env, platform), '.codeium', 'windsurf', 'mcp_config.json')],
  projectFiles: [],
  containers: mcpServers,
  read: (raw) => readCommon(raw, ['serverUrl', 'url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw, false),
};

const zed: ClientDef = {
  id: 'zed',
  name: 'Zed',
  format: 'json',
  gui: true,
  interpolates: false,
  userFiles: (env, platform) =>
    platform === 'win32'
      ? [win32.join(appData(env, platform), 'Zed', 'settings.json')]
      : [pathApi(platform).join(xdgConfig(env, platform), 'zed', 'settings.json')],
  projectFiles: [],
  containers: () => [{ path: ['context_servers'] }],
  read: (raw) => {
    // Older Zed versions nest the command: { "command": { "path", "args", "env" } }.
    if (isObject(raw.command)) {
      const c = raw.command;
      return { transport: 'stdio', command: str(c.path) ?? '', args: strings(c.args), env: stringMap(c.env), headers: {}, envKeys: [] };
    }
    if (raw.command === undefined && raw.url === undefined) return { unsupported: 'it is provided by a Zed extension' };
    return readCommon(raw, ['url']);
  },
  rewrite: (launch, raw) => rewriteCommon(launch, raw, false),
};

const goose: ClientDef = {
  id: 'goose',
  name: 'Goose',
  format: 'yaml',
  gui: true,
  interpolates: false,
  userFiles: (env, platform) =>
    platform === 'win32'
      ? [win32.join(appData(env, platform), 'Block', 'goose', 'config', 'config.yaml')]
      : [pathApi(platform).join(xdgConfig(env, platform), 'goose', 'config.yaml')],
  projectFiles: [],
  containers: () => [{ path: ['extensions'] }],
  read: (raw) => {
    const type = str(raw.type);
    const base = { args: strings(raw.args), env: stringMap(raw.envs), headers: stringMap(raw.headers), envKeys: strings(raw.env_keys) };
    if (type === 'stdio') return { transport: 'stdio', command: str(raw.cmd) ?? '', ...base };
    if (type === 'streamable_http' || type === 'sse') return { transport: type === 'sse' ? 'sse' : 'http', url: str(raw.uri) ?? '', ...base };
    return { unsupported: type ? `it is a goose ${type} extension` : 'it has no type' };
  },
  rewrite: (launch, raw) => {
    const set: Record<string, unknown> = { type: 'stdio', cmd: launch.command, args: launch.args, envs: launch.env };
    return { set, remove: ['uri', 'headers'].filter((k) => k in raw) };
  },
  newEntry: (name) => ({ name, enabled: true, type: 'stdio', timeout: 300 }),
};

export const CLIENTS: Record<ClientId, ClientDef> = {
  'claude-desktop': claudeDesktop,
  'claude-code': claudeCode,
  cursor,
  vscode,
  windsurf,
  zed,
  goose,
};
