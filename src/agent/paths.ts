import { lstatSync, mkdirSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { CliError } from '../errors.js';
import { ensureDir } from '../fs/atomic-write.js';
import { fsFailure } from '../fs/errors.js';
import { displayPath, stateDir, type Env } from '../paths.js';

// A unix socket path must fit in sockaddr_un (108 bytes on Linux, 104 on macOS).
const MAX_SOCKET_PATH = 100;

const uid = () => process.getuid?.() ?? -1;

/**
 * Where the unlock agent listens, as gpg-agent does: `$XDG_RUNTIME_DIR/mcp-cli/agent.sock`
 * (a per-user directory the system empties at logout), else `<state dir>/agent/agent.sock`,
 * else, when that path is too long for a socket, `/tmp/mcp-cli-<uid>/agent.sock`.
 */
export function agentSocketPath(env: Env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  const dir = runtime && isAbsolute(runtime) ? join(runtime, 'mcp-cli') : join(stateDir(env), 'agent');
  const path = join(dir, 'agent.sock');
  if (Buffer.byteLength(path) <= MAX_SOCKET_PATH) return path;
  return join(env.TMPDIR && isAbsolute(env.TMPDIR) ? env.TMPDIR : '/tmp', `mcp-cli-${uid()}`, 'agent.sock');
}

function modeText(stats: Stats): string {
  return `0${(stats.mode & 0o777).toString(8)}`;
}

/**
 * Why the agent's directory cannot be trusted with a key, or undefined when it can: it must be
 * a real directory (not a symbolic link), owned by this user, and closed to everyone else (0700).
 * `missing` when it does not exist.
 */
export function distrustDir(dir: string): string | 'missing' | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw fsFailure(error, 'inspect the directory', dir);
  }
  if (stats.isSymbolicLink()) return 'it is a symbolic link';
  if (!stats.isDirectory()) return 'it is not a directory';
  if (stats.uid !== uid()) return `it belongs to uid ${stats.uid}, not to this user (uid ${uid()})`;
  if ((stats.mode & 0o077) !== 0) return `its mode is ${modeText(stats)}, not 0700`;
  return undefined;
}

/** Why the socket cannot be trusted, or undefined: a socket of this user, open to nobody else. `missing` when absent. */
export function distrustSocket(path: string): string | 'missing' | undefined {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (!stats) return 'missing';
  if (!stats.isSocket()) return 'it is not a socket';
  if (stats.uid !== uid()) return `it belongs to uid ${stats.uid}, not to this user (uid ${uid()})`;
  if ((stats.mode & 0o077) !== 0) return `its mode is ${modeText(stats)}, not 0600`;
  return undefined;
}

export function refusal(dir: string, why: string, env: Env): CliError {
  return new CliError(
    `refusing to use the unlock agent directory ${displayPath(dir, env)}: ${why}`,
    1,
    'it is not one mcp-cli created; remove it (after checking who made it), and mcp-cli creates a private one',
  );
}

/** Creates the agent's directory (0700) when missing, and refuses one that is not private to this user. */
export function ensureAgentDir(socketPath: string, env: Env): string {
  const dir = dirname(socketPath);
  let why = distrustDir(dir);
  if (why === 'missing') {
    ensureDir(dirname(dir));
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fsFailure(error, 'create the directory', dir);
    }
    why = distrustDir(dir);
  }
  if (why !== undefined) throw refusal(dir, why === 'missing' ? 'it disappeared while being created' : why, env);
  return dir;
}
