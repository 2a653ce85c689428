import type { Env } from '../paths.js';

const set = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * Whether a login started by `mcp-cli run` can reach the user through a browser: one is named
 * (`MCP_CLI_BROWSER`, `BROWSER`), or the session has a desktop: macOS and Windows unless reached
 * over SSH, Linux and the BSDs with an X11 or Wayland display. Without one, no login is started: the
 * client's requests are answered with an error naming `mcp-cli auth login`, never left waiting.
 */
export function canOpenBrowser(env: Env, platform: NodeJS.Platform): boolean {
  if (set(env.MCP_CLI_BROWSER) || set(env.BROWSER)) return true;
  const overSsh = set(env.SSH_CONNECTION) || set(env.SSH_CLIENT) || set(env.SSH_TTY);
  if (platform === 'darwin' || platform === 'win32') return !overSsh;
  return set(env.DISPLAY) || set(env.WAYLAND_DISPLAY);
}
