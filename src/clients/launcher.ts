import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Env } from '../paths.js';
import type { ClientDef } from './catalog.js';

/** How a client's entry starts mcp-cli: `command` and the arguments before `run NAME`. */
export interface Launcher {
  command: string;
  args: string[];
  /** Why this form was chosen, for the plan. */
  why: string;
}

export interface LauncherContext {
  env: Env;
  platform: NodeJS.Platform;
  /** How this mcp-cli was started: the runtime and its entry script. */
  self: { execPath: string; script: string };
}

const real = (path: string): string | undefined => {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
};

/** The `mcp-cli` on PATH, when it is this very program (an npm link or global install points at the same script). */
function onPath(ctx: LauncherContext): string | undefined {
  const self = real(ctx.self.script);
  if (!self) return undefined;
  for (const dir of (ctx.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'mcp-cli');
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    if (real(candidate) === self) return candidate;
  }
  return undefined;
}

/**
 * `--command` as given; else `mcp-cli` when the `mcp-cli` on PATH is this program and the client
 * sees the same PATH; else this program's runtime and script by absolute paths, which need no PATH
 * at all. Desktop apps on macOS start servers with launchd's PATH (/usr/bin:/bin:/usr/sbin:/sbin),
 * where neither mcp-cli nor node usually is, and Windows clients start programs without a shell,
 * which cannot run npm's `mcp-cli.cmd`.
 */
export function launcherFor(ctx: LauncherContext, client: ClientDef, command?: string): Launcher {
  if (command !== undefined) return { command, args: [], why: '--command' };
  // `--` before the script: Node then takes no later argument for an option of its own (--env-file).
  const absolute = { command: ctx.self.execPath, args: ['--', real(ctx.self.script) ?? ctx.self.script] };
  if (ctx.platform === 'win32') return { ...absolute, why: 'Windows clients start programs without a shell' };
  if (ctx.platform === 'darwin' && client.gui) return { ...absolute, why: `${client.name} does not see your shell's PATH on macOS` };
  if (onPath(ctx)) return { command: 'mcp-cli', args: [], why: 'mcp-cli is on PATH' };
  return { ...absolute, why: 'the mcp-cli on PATH, if any, is not this one' };
}

/**
 * What `mcp-cli run` reads from its environment to find the config and the token store (and to
 * reach the keyring and open a browser for a login).
 */
export const RUN_VARIABLES = [
  'MCP_CLI_CONFIG_DIR',
  'MCP_CLI_TOKEN_BACKEND',
  'MCP_CLI_ENCRYPTION_KEY',
  'MCP_CLI_KEYCHAIN_SERVICE',
  'MCP_CLI_KEYCHAIN_TIMEOUT_MS',
  'MCP_CLI_AUDIT_LOG',
  'MCP_CLI_BROWSER',
  'BROWSER',
  'VAULT_ADDR',
  'VAULT_TOKEN',
  'VAULT_NAMESPACE',
  'VAULT_CACERT',
  'VAULT_CAPATH',
  'VAULT_CLIENT_CERT',
  'VAULT_CLIENT_KEY',
  'VAULT_SKIP_VERIFY',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'XDG_STATE_HOME',
  'XDG_RUNTIME_DIR',
  'DBUS_SESSION_BUS_ADDRESS',
  'DISPLAY',
  'WAYLAND_DISPLAY',
] as const;

/**
 * The ones set where the import runs: an entry for a client that starts servers with a reduced
 * environment names them (never their values), so that `mcp-cli run` sees them as this shell does.
 */
export function forwardedVariables(env: Env): string[] {
  return RUN_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '');
}
