import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { CliError } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

function home(env: Env): string {
  return env.HOME || homedir();
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

/** `$XDG_DATA_HOME/mcp-cli`, else `~/.local/share/mcp-cli`. */
export function dataDir(env: Env): string {
  return join(xdg(env, 'XDG_DATA_HOME') || join(home(env), '.local', 'share'), 'mcp-cli');
}

/** `$XDG_STATE_HOME/mcp-cli`, else `~/.local/state/mcp-cli`. */
export function stateDir(env: Env): string {
  return join(xdg(env, 'XDG_STATE_HOME') || join(home(env), '.local', 'state'), 'mcp-cli');
}

/** Replaces the home directory prefix with `~` for display. */
export function displayPath(path: string, env: Env): string {
  const h = home(env);
  return path === h || path.startsWith(h + '/') ? '~' + path.slice(h.length) : path;
}
