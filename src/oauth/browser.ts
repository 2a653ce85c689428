import { spawn } from 'node:child_process';
import { credentialVariable } from '../credential-variables.js';
import type { Env } from '../paths.js';

export interface BrowserCommand {
  command: string;
  args: string[];
  /** Where it came from, for messages. */
  source: string;
}

/** Splits a command line on whitespace, honouring single and double quotes. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(pattern)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** `MCP_CLI_BROWSER`, else `BROWSER`, else the platform's opener. The URL goes last. */
export function browserCommand(env: Env, platform: NodeJS.Platform): BrowserCommand | undefined {
  for (const name of ['MCP_CLI_BROWSER', 'BROWSER'] as const) {
    const words = splitCommand(env[name] ?? '');
    if (words.length > 0) return { command: words[0]!, args: words.slice(1), source: name };
  }
  if (platform === 'darwin') return { command: 'open', args: [], source: 'open' };
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler'], source: 'rundll32' };
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return { command: 'xdg-open', args: [], source: 'xdg-open' };
  return undefined;
}

/** mcp-cli's environment less its own credentials: the browser needs the desktop session's variables, and none of those. */
export function browserEnvironment(env: Env): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !credentialVariable(name)) kept[name] = value;
  return kept;
}

/** Starts the browser without waiting for it, in browserEnvironment(); resolves false when it could not be started. */
export function openBrowser(url: string, browser: BrowserCommand, env: Env): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const child = spawn(browser.command, [...browser.args, url], { stdio: 'ignore', detached: true, env: browserEnvironment(env) });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

const set = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * Whether a login can reach the user through a browser on this machine: one is named
 * (`MCP_CLI_BROWSER`, `BROWSER`), or the session has a desktop: macOS and Windows unless reached
 * over SSH, Linux and the BSDs with an X11 or Wayland display. Without one, `auth login` takes a
 * pasted redirect on a terminal, or a device code; `mcp-cli run` starts no login at all, and
 * answers the client's requests with an error naming `mcp-cli auth login`.
 */
export function canOpenBrowser(env: Env, platform: NodeJS.Platform): boolean {
  if (set(env.MCP_CLI_BROWSER) || set(env.BROWSER)) return true;
  const overSsh = set(env.SSH_CONNECTION) || set(env.SSH_CLIENT) || set(env.SSH_TTY);
  if (platform === 'darwin' || platform === 'win32') return !overSsh;
  return set(env.DISPLAY) || set(env.WAYLAND_DISPLAY);
}
