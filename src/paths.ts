import { homedir } from 'node:os';
import { join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

function home(env: Env): string {
  return env.HOME || homedir();
}

/** `MCP_CLI_CONFIG_DIR`, else `$XDG_CONFIG_HOME/mcp-cli`, else `~/.config/mcp-cli`. */
export function configDir(env: Env): string {
  return env.MCP_CLI_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(home(env), '.config'), 'mcp-cli');
}

/** `$XDG_DATA_HOME/mcp-cli`, else `~/.local/share/mcp-cli`. */
export function dataDir(env: Env): string {
  return join(env.XDG_DATA_HOME || join(home(env), '.local', 'share'), 'mcp-cli');
}

/** `$XDG_STATE_HOME/mcp-cli`, else `~/.local/state/mcp-cli`. */
export function stateDir(env: Env): string {
  return join(env.XDG_STATE_HOME || join(home(env), '.local', 'state'), 'mcp-cli');
}

/** Replaces the home directory prefix with `~` for display. */
export function displayPath(path: string, env: Env): string {
  const h = home(env);
  return path === h || path.startsWith(h + '/') ? '~' + path.slice(h.length) : path;
}
