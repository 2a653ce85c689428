import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { CliError } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

function home(env: Env): string {
  return env.HOME || homedir();
}

/**
 * This account's home directory as the system's user database names it (getpwuid), which no
 * variable changes: an MCP client hands `mcp-cli run` whatever environment a project file asks for,
 * HOME and XDG_* included, so what decides trust (the user's own config, the approvals) is found
 * from this. Where the database has no entry for the account (some containers), HOME is all there is.
 */
export function accountHome(): string {
  try {
    const dir = userInfo().homedir;
    if (dir) return dir;
  } catch {
    // no entry for this uid
  }
  return homedir();
}

/** `~/.config/mcp-cli` of the account's home: the config directory that is the user's own. */
export function ownConfigDir(accountHomeDir: string): string {
  return join(accountHomeDir, '.config', 'mcp-cli');
}

/** `~/.local/share/mcp-cli/tokens.enc` of the account's home: the token file that is the user's own, where no variable moved it. */
export function ownTokenFile(accountHomeDir: string): string {
  return join(accountHomeDir, '.local', 'share', 'mcp-cli', 'tokens.enc');
}

/** `~/.local/state/mcp-cli` of the account's home: where what no variable may move lives (the approvals). */
export function ownStateDir(accountHomeDir: string): string {
  return join(accountHomeDir, '.local', 'state', 'mcp-cli');
}

/**
 * An XDG base directory variable, when it holds an absolute path: the specification says to
 * ignore relative ones (which would put state, approvals included, wherever mcp-cli runs).
 */
function xdg(env: Env, name: 'XDG_CONFIG_HOME' | 'XDG_DATA_HOME' | 'XDG_STATE_HOME'): string | undefined {
  const value = env[name];
  return value && isAbsolute(value) ? value : undefined;
}

/** `MCP_CLI_CONFIG_DIR`, else `$XDG_CONFIG_HOME/mcp-cli`, else `~/.config/mcp-cli`. */
export function configDir(env: Env): string {
  const own = env.MCP_CLI_CONFIG_DIR;
  if (own && !isAbsolute(own)) throw new CliError(`MCP_CLI_CONFIG_DIR must be an absolute path, not ${JSON.stringify(own)}`);
  return own || join(xdg(env, 'XDG_CONFIG_HOME') || join(home(env), '.config'), 'mcp-cli');
}

/** The variable that puts the config directory where it is: the first of these that is set. */
export function configDirSource(env: Env): 'MCP_CLI_CONFIG_DIR' | 'XDG_CONFIG_HOME' | 'HOME' {
  return env.MCP_CLI_CONFIG_DIR ? 'MCP_CLI_CONFIG_DIR' : xdg(env, 'XDG_CONFIG_HOME') ? 'XDG_CONFIG_HOME' : 'HOME';
}

/** The variable that put the data directory (and the token file in it) where it is. */
export function dataDirSource(env: Env): 'XDG_DATA_HOME' | 'HOME' {
  return xdg(env, 'XDG_DATA_HOME') ? 'XDG_DATA_HOME' : 'HOME';
}

/** The variable that put the state directory (and the audit log in it) where it is. */
export function stateDirSource(env: Env): 'XDG_STATE_HOME' | 'HOME' {
  return xdg(env, 'XDG_STATE_HOME') ? 'XDG_STATE_HOME' : 'HOME';
}

/** Whether two paths name the same place as written (normalized, links not followed). */
export const samePath = (a: string, b: string) => resolve(a) === resolve(b);

/** `$XDG_DATA_HOME/mcp-cli`, else `~/.local/share/mcp-cli`. */
export function dataDir(env: Env): string {
  return join(xdg(env, 'XDG_DATA_HOME') || join(home(env), '.local', 'share'), 'mcp-cli');
}

/** `$XDG_STATE_HOME/mcp-cli`, else `~/.local/state/mcp-cli`. */
export function stateDir(env: Env): string {
  return join(xdg(env, 'XDG_STATE_HOME') || join(home(env), '.local', 'state'), 'mcp-cli');
}

/** A path with a leading `~` taken as this home directory, made absolute. */
export function expandHome(path: string, homeDir: string): string {
  return resolve(path.replace(/^~(?=\/|$)/, homeDir));
}

/** Replaces the home directory prefix with `~` for display. */
export function displayPath(path: string, env: Env): string {
  return tildePath(path, home(env));
}

/** Replaces this home directory's prefix with `~`: with the account's home, where a message must not let HOME decide what `~` means. */
export function tildePath(path: string, homeDir: string): string {
  return path === homeDir || path.startsWith(homeDir + '/') ? '~' + path.slice(homeDir.length) : path;
}
