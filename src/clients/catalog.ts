import { posix, win32 } from 'node:path';
import type { Env } from '../paths.js';

/**
 * The MCP clients mcp-cli knows, where each keeps its servers, and the shape of an entry there.
 * docs/clients.md says where each fact comes from.
 */
export const CLIENT_IDS = [
  'claude-desktop',
  'claude-code',
  'cursor',
  'vscode',
  'windsurf',
  'zed',
  'goose',
  'codex',
  'gemini',
  'cline',
  'continue',
  'opencode',
  'kiro',
  'lm-studio',
  'crush',
  'copilot-cli',
] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

export function isClientId(value: string): value is ClientId {
  return (CLIENT_IDS as readonly string[]).includes(value);
}

export type FileFormat = 'json' | 'yaml' | 'toml';
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
  /** Names of variables the client itself puts in the server's environment: goose's env_keys (its own keyring), Codex's env_vars. */
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
  /**
   * Variables of mcp-cli's own (where its config and store are) that a client which starts servers
   * with a reduced environment must hand on: Codex lists them in `env_vars`, others refer to them.
   */
  forward: string[];
}

/**
 * Where a file keeps its servers: an object by name (`mcpServers`, `servers`, `context_servers`,
 * `extensions`, one project's in ~/.claude.json, Codex's `mcp_servers`), or a list of entries each
 * named by its `name` (Continue's `mcpServers`).
 */
export interface Container {
  path: string[];
  list?: boolean;
  /** `local: /path/to/project` for Claude Code's per-project entries; otherwise undefined. */
  label?: string;
}

export interface ClientDef {
  id: ClientId;
  name: string;
  format: FileFormat;
  /** A desktop application: on macOS it starts servers with launchd's minimal PATH, not the shell's. */
  gui: boolean;
  /**
   * The references the client expands in values itself (`${VAR}`, `${env:VAR}`, `{env:VAR}`, `$VAR`):
   * such values are passed on through the environment, and never taken for secrets. A global RegExp.
   */
  variables?: RegExp;
  /**
   * Whether the servers it starts get its whole environment. Those that give them only a few
   * variables (Codex, Cline, Continue) or hide ones named like secrets (Gemini CLI) need mcp-cli's
   * own variables handed on in the entry, or `mcp-cli run` would not find the same config and store.
   */
  inheritsEnvironment: boolean;
  /** How the entry refers to a variable of the client's own environment, to hand it on (`${env:NAME}`). */
  reference?: (name: string) => string;
  /** The first is where `install` writes. */
  userFiles(env: Env, platform: NodeJS.Platform): string[];
  /** Directories whose every `.yaml` file is a file of the client's too (Continue's blocks). */
  userDirs?(env: Env, platform: NodeJS.Platform): string[];
  /** Paths relative to a project directory; the first is where `install --project` writes. */
  projectFiles: string[];
  projectDirs?: string[];
  /** What a file `install` creates holds besides the entry (Continue: the metadata of a config or block). */
  newFile?(path: string): Record<string, unknown>;
  containers(data: unknown, scope: Scope): Container[];
  /** Where the file defines the `${input:id}` variables its entries use, with their defaults (VS Code's `inputs`). */
  inputs?: string[];
  /** The entry as mcp-cli understands it, or why it cannot be used (an extension's server, a built-in). */
  read(raw: Record<string, unknown>): ServerSpec | { unsupported: string };
  rewrite(launch: Launch, raw: Record<string, unknown>): EntryRewrite;
  /** Fields a new entry needs besides how to launch it (goose: its name, enabled, a timeout). */
  newEntry?(name: string): Record<string, unknown>;
}

/** A variable reference as Claude Code, Cursor, VS Code and Windsurf write it: `${NAME}`, `${env:NAME}`, `${input:id}`. */
const DOLLAR_BRACES = /\$\{[^}]*\}/g;
/** POSIX shell style as well: `$NAME`, `${NAME}`, `${NAME:-default}` (Gemini CLI, Kiro, Copilot CLI). */
const SHELL_STYLE = /\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g;

/** Whether a value holds a reference the client fills in itself. */
export function usesClientVariable(client: ClientDef, text: string): boolean {
  return client.variables !== undefined && new RegExp(client.variables.source).test(text);
}

/**
 * The value with each of the client's own references written over as `${…}` of the same length, so
 * that what looks for secrets takes them for the references they are (`{env:API_KEY}` is no key)
 * and positions in it stay those of the value.
 */
export function maskClientVariables(client: ClientDef, text: string): string {
  if (client.variables === undefined) return text;
  return text.replace(new RegExp(client.variables.source, 'g'), (m) => (m.length < 3 ? '${'.slice(0, m.length) : `\${${'_'.repeat(m.length - 3)}}`));
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

function rewriteCommon(launch: Launch, raw: Record<string, unknown>, type?: string, extraKeys: string[] = []): EntryRewrite {
  const set: Record<string, unknown> = { ...(type !== undefined ? { type } : {}), command: launch.command, args: launch.args };
  if (Object.keys(launch.env).length > 0) set.env = launch.env;
  return { set, remove: [...TRANSPORT_KEYS, ...extraKeys].filter((k) => Object.hasOwn(raw, k) && !Object.hasOwn(set, k)) };
}

const mcpServers = (): Container[] => [{ path: ['mcpServers'] }];

const claudeDesktop: ClientDef = {
  id: 'claude-desktop',
  name: 'Claude Desktop',
  format: 'json',
  gui: true,
  inheritsEnvironment: true,
  userFiles: (env, platform) => [pathApi(platform).join(appData(env, platform), 'Claude', 'claude_desktop_config.json')],
  projectFiles: [],
  containers: mcpServers,
  read: (raw) => readCommon(raw, ['url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw),
};

const claudeCode: ClientDef = {
  id: 'claude-code',
  name: 'Claude Code',
  format: 'json',
  gui: false,
  variables: DOLLAR_BRACES,
  inheritsEnvironment: true,
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
  rewrite: (launch, raw) => rewriteCommon(launch, raw, 'stdio'),
};

const cursor: ClientDef = {
  id: 'cursor',
  name: 'Cursor',
  format: 'json',
  gui: true,
  variables: DOLLAR_BRACES,
  inheritsEnvironment: true,
  userFiles: (env, platform) => [pathApi(platform).join(homeOf(env, platform), '.cursor', 'mcp.json')],
  projectFiles: ['.cursor/mcp.json'],
  containers: mcpServers,
  read: (raw) => readCommon(raw, ['url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw),
};

const vscode: ClientDef = {
  id: 'vscode',
  name: 'VS Code',
  format: 'json',
  gui: true,
  variables: DOLLAR_BRACES,
  inheritsEnvironment: true,
  userFiles: (env, platform) => [pathApi(platform).join(appData(env, platform), 'Code', 'User', 'mcp.json')],
  projectFiles: ['.vscode/mcp.json'],
  containers: () => [{ path: ['servers'] }],
  inputs: ['inputs'],
  read: (raw) => readCommon(raw, ['url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw, 'stdio'),
};

const windsurf: ClientDef = {
  id: 'windsurf',
  name: 'Windsurf',
  format: 'json',
  gui: true,
  variables: DOLLAR_BRACES,
  inheritsEnvironment: true,
  userFiles: (env, platform) => [pathApi(platform).join(homeOf(env, platform), '.codeium', 'windsurf', 'mcp_config.json')],
  projectFiles: [],
  containers: mcpServers,
  read: (raw) => readCommon(raw, ['serverUrl', 'url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw),
};

const zed: ClientDef = {
  id: 'zed',
  name: 'Zed',
  format: 'json',
  gui: true,
  inheritsEnvironment: true,
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
  rewrite: (launch, raw) => rewriteCommon(launch, raw),
};

const goose: ClientDef = {
  id: 'goose',
  name: 'Goose',
  format: 'yaml',
  gui: true,
  inheritsEnvironment: true,
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

/** An absolute path from a variable of the client's own (CODEX_HOME, GEMINI_CLI_HOME...), else the default. */
function ownDir(env: Env, platform: NodeJS.Platform, variable: string, fallback: string): string {
  const value = env[variable];
  return value && pathApi(platform).isAbsolute(value) ? value : fallback;
}

/** Codex's `env_vars`: names, or `{ name, source }`. */
const envVarNames = (value: unknown): string[] =>
  Array.isArray(value) ? value.flatMap((v) => (typeof v === 'string' ? [v] : isObject(v) && typeof v.name === 'string' ? [v.name] : [])) : [];

const codex: ClientDef = {
  id: 'codex',
  name: 'Codex CLI',
  format: 'toml',
  gui: false,
  inheritsEnvironment: false,
  userFiles: (env, platform) => [
    pathApi(platform).join(ownDir(env, platform, 'CODEX_HOME', pathApi(platform).join(homeOf(env, platform), '.codex')), 'config.toml'),
  ],
  projectFiles: ['.codex/config.toml'],
  containers: () => [{ path: ['mcp_servers'] }],
  read: (raw) => {
    if (raw.bearer_token_env_var !== undefined || raw.env_http_headers !== undefined)
      return { unsupported: "its credentials come from Codex's own environment (bearer_token_env_var, env_http_headers), which mcp-cli does not read" };
    const headers = stringMap(raw.http_headers);
    // Older Codex versions took the token itself.
    if (typeof raw.bearer_token === 'string') headers.Authorization = `Bearer ${raw.bearer_token}`;
    const base = {
      args: strings(raw.args),
      env: stringMap(raw.env),
      headers,
      envKeys: envVarNames(raw.env_vars),
      ...(str(raw.cwd) !== undefined ? { cwd: str(raw.cwd) } : {}),
    };
    if (str(raw.command) !== undefined) return { transport: 'stdio', command: str(raw.command), ...base };
    if (str(raw.url) !== undefined) return { transport: 'http', url: str(raw.url), ...base };
    return { unsupported: 'it has neither a command nor a URL' };
  },
  rewrite: (launch, raw) => {
    const set: Record<string, unknown> = { command: launch.command, args: launch.args };
    if (Object.keys(launch.env).length > 0) set.env = launch.env;
    const kept = Array.isArray(raw.env_vars) ? raw.env_vars : [];
    const names = envVarNames(kept);
    const envVars = [...kept, ...launch.forward.filter((n) => !names.includes(n))];
    if (envVars.length > 0) set.env_vars = envVars;
    return { set, remove: ['env', 'cwd', 'url', 'http_headers', 'bearer_token'].filter((k) => Object.hasOwn(raw, k) && !Object.hasOwn(set, k)) };
  },
};

const gemini: ClientDef = {
  id: 'gemini',
  name: 'Gemini CLI',
  format: 'json',
  gui: false,
  variables: SHELL_STYLE,
  inheritsEnvironment: false,
  reference: (name) => `\${${name}}`,
  userFiles: (env, platform) => [pathApi(platform).join(ownDir(env, platform, 'GEMINI_CLI_HOME', homeOf(env, platform)), '.gemini', 'settings.json')],
  projectFiles: ['.gemini/settings.json'],
  containers: mcpServers,
  read: (raw) => {
    if (str(raw.command) !== undefined || str(raw.httpUrl) === undefined) {
      const read = readCommon(raw, ['url']);
      return 'unsupported' in read || read.transport === 'stdio' ? read : { ...read, transport: raw.type === 'http' ? 'http' : 'sse' };
    }
    return { transport: 'http', url: str(raw.httpUrl), args: [], env: stringMap(raw.env), headers: stringMap(raw.headers), envKeys: [] };
  },
  rewrite: (launch, raw) => rewriteCommon(launch, raw, undefined, ['httpUrl', 'tcp']),
};

const cline: ClientDef = {
  id: 'cline',
  name: 'Cline',
  format: 'json',
  gui: true,
  variables: /\$\{env:[^}]*\}/g,
  inheritsEnvironment: false,
  reference: (name) => `\${env:${name}}`,
  userFiles: (env, platform) => {
    const path = pathApi(platform);
    const own = ownDir(env, platform, 'CLINE_DIR', path.join(homeOf(env, platform), '.cline'));
    return [
      path.join(own, 'data', 'settings', 'cline_mcp_settings.json'),
      path.join(appData(env, platform), 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'),
    ];
  },
  projectFiles: [],
  containers: mcpServers,
  read: (raw) => {
    if (isObject(raw.transport)) return { unsupported: 'its transport is written in the nested form, which mcp-cli does not read' };
    const read = readCommon(raw, ['url']);
    if ('unsupported' in read || read.transport === 'stdio') return read;
    const type = str(raw.type) ?? str(raw.transportType);
    return { ...read, transport: type === 'streamableHttp' || type === 'http' ? 'http' : 'sse' };
  },
  rewrite: (launch, raw) => rewriteCommon(launch, raw, raw.type !== undefined ? 'stdio' : undefined, ['transportType']),
};

const CONTINUE_BLOCK = { name: 'mcp-cli', version: '0.0.1', schema: 'v1' };

const continueDev: ClientDef = {
  id: 'continue',
  name: 'Continue',
  format: 'yaml',
  gui: true,
  variables: /\$\{\{[^}]*\}\}/g,
  inheritsEnvironment: false,
  reference: (name) => `\${{ secrets.${name} }}`,
  userFiles: (env, platform) => [pathApi(platform).join(continueHome(env, platform), 'config.yaml')],
  userDirs: (env, platform) => [pathApi(platform).join(continueHome(env, platform), 'mcpServers')],
  projectFiles: ['.continue/mcpServers/mcp-cli.yaml'],
  projectDirs: ['.continue/mcpServers'],
  newFile: (path) => (posix.basename(path.replace(/\\/g, '/')) === 'config.yaml' ? { name: 'Local Config', version: '1.0.0', schema: 'v1' } : CONTINUE_BLOCK),
  containers: () => [{ path: ['mcpServers'], list: true }],
  read: (raw) => {
    const requestOptions = isObject(raw.requestOptions) ? raw.requestOptions : {};
    const read = readCommon({ ...raw, headers: requestOptions.headers }, ['url']);
    if ('unsupported' in read || read.transport === 'stdio') return read;
    return { ...read, transport: raw.type === 'sse' ? 'sse' : 'http' };
  },
  rewrite: (launch, raw) => rewriteCommon(launch, raw, raw.type !== undefined ? 'stdio' : undefined, ['requestOptions']),
  newEntry: (name) => ({ name }),
};

function continueHome(env: Env, platform: NodeJS.Platform): string {
  return ownDir(env, platform, 'CONTINUE_GLOBAL_DIR', pathApi(platform).join(homeOf(env, platform), '.continue'));
}

/** OpenCode follows XDG_CONFIG_HOME on every platform. */
function openCodeDir(env: Env, platform: NodeJS.Platform): string {
  const path = pathApi(platform);
  return path.join(ownDir(env, platform, 'XDG_CONFIG_HOME', path.join(homeOf(env, platform), '.config')), 'opencode');
}

const opencode: ClientDef = {
  id: 'opencode',
  name: 'OpenCode',
  format: 'json',
  gui: false,
  variables: /\{(?:env|file):[^}]*\}/g,
  inheritsEnvironment: true,
  userFiles: (env, platform) => ['opencode.json', 'opencode.jsonc'].map((f) => pathApi(platform).join(openCodeDir(env, platform), f)),
  projectFiles: ['opencode.json', 'opencode.jsonc'],
  // Later versions keep servers under mcp.servers; a server is never an object without a type.
  containers: (data) => {
    const mcp = isObject(data) ? data.mcp : undefined;
    return isObject(mcp) && isObject(mcp.servers) && mcp.servers.type === undefined ? [{ path: ['mcp', 'servers'] }] : [{ path: ['mcp'] }];
  },
  read: (raw) => {
    const base = {
      env: stringMap(raw.environment),
      headers: stringMap(raw.headers),
      envKeys: [],
      ...(str(raw.cwd) !== undefined ? { cwd: str(raw.cwd) } : {}),
    };
    if (raw.type === 'local') {
      const [command, ...args] = strings(raw.command);
      return command !== undefined ? { transport: 'stdio', command, args, ...base } : { unsupported: 'its command is empty' };
    }
    if (raw.type === 'remote' && str(raw.url) !== undefined) return { transport: 'http', url: str(raw.url), args: [], ...base };
    return { unsupported: raw.type === undefined ? 'it has no type' : 'it is neither local nor remote' };
  },
  rewrite: (launch, raw) => {
    const set: Record<string, unknown> = { type: 'local', command: [launch.command, ...launch.args] };
    if (Object.keys(launch.env).length > 0) set.environment = launch.env;
    return { set, remove: ['environment', 'cwd', 'url', 'headers', 'oauth'].filter((k) => Object.hasOwn(raw, k) && !Object.hasOwn(set, k)) };
  },
};

const kiro: ClientDef = {
  id: 'kiro',
  name: 'Kiro',
  format: 'json',
  gui: true,
  variables: SHELL_STYLE,
  inheritsEnvironment: true,
  userFiles: (env, platform) => [pathApi(platform).join(homeOf(env, platform), '.kiro', 'settings', 'mcp.json')],
  projectFiles: ['.kiro/settings/mcp.json'],
  containers: mcpServers,
  read: (raw) => readCommon(raw, ['url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw),
};

const lmStudio: ClientDef = {
  id: 'lm-studio',
  name: 'LM Studio',
  format: 'json',
  gui: true,
  inheritsEnvironment: true,
  userFiles: (env, platform) => [pathApi(platform).join(homeOf(env, platform), '.lmstudio', 'mcp.json')],
  projectFiles: [],
  containers: mcpServers,
  read: (raw) => readCommon(raw, ['url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw),
};

const crush: ClientDef = {
  id: 'crush',
  name: 'Crush',
  format: 'json',
  gui: false,
  // Crush runs its config's strings through a shell's expansion: $VAR, ${VAR:-x}, $(command).
  variables: /\$\([^)]*\)|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g,
  inheritsEnvironment: true,
  userFiles: (env, platform) => {
    const path = pathApi(platform);
    return [path.join(ownDir(env, platform, 'XDG_CONFIG_HOME', path.join(homeOf(env, platform), '.config')), 'crush', 'crush.json')];
  },
  projectFiles: ['.crush.json', 'crush.json'],
  containers: () => [{ path: ['mcp'] }],
  read: (raw) => {
    const read = readCommon(raw, ['url']);
    if ('unsupported' in read || read.transport === 'stdio') return read;
    return { ...read, transport: raw.type === 'sse' ? 'sse' : 'http' };
  },
  rewrite: (launch, raw) => rewriteCommon(launch, raw, 'stdio'),
};

const copilotCli: ClientDef = {
  id: 'copilot-cli',
  name: 'GitHub Copilot CLI',
  format: 'json',
  gui: false,
  variables: SHELL_STYLE,
  inheritsEnvironment: false,
  reference: (name) => `\${${name}}`,
  userFiles: (env, platform) => [
    pathApi(platform).join(ownDir(env, platform, 'COPILOT_HOME', pathApi(platform).join(homeOf(env, platform), '.copilot')), 'mcp-config.json'),
  ],
  projectFiles: [],
  containers: mcpServers,
  read: (raw) => readCommon(raw, ['url']),
  rewrite: (launch, raw) => rewriteCommon(launch, raw, raw.type === 'stdio' ? 'stdio' : 'local'),
  newEntry: () => ({ tools: ['*'] }),
};

export const CLIENTS: Record<ClientId, ClientDef> = {
  'claude-desktop': claudeDesktop,
  'claude-code': claudeCode,
  cursor,
  vscode,
  windsurf,
  zed,
  goose,
  codex,
  gemini,
  cline,
  continue: continueDev,
  opencode,
  kiro,
  'lm-studio': lmStudio,
  crush,
  'copilot-cli': copilotCli,
};
