import { closeSync, constants, fstatSync, openSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { readWhole } from '../fs/read-whole.js';
import { configDir, configDirSource, ownConfigDir, samePath, type Env } from '../paths.js';
import { CONFIG_FILE_NAME, type ConfigLocation } from './locate.js';

/** A config directory that a variable put somewhere else than the account's own `~/.config/mcp-cli`. */
export interface RelocatedConfigDir {
  dir: string;
  by: 'MCP_CLI_CONFIG_DIR' | 'XDG_CONFIG_HOME' | 'HOME';
}

/** A config file as read once: every decision (approval, parsing) is made on these same bytes. */
export interface ConfigFile {
  /** `location.path` is absolute, as found (links not resolved): what the user sees, and what an approval names. */
  location: ConfigLocation;
  /** The path with links resolved: an approval is pinned to it too. */
  realPath: string;
  text: string;
  /** `~/.config/mcp-cli/server_config.json` of the account's home (that very path, not a link to it elsewhere): the user's own, trusted without approval. */
  own: boolean;
  /** Set when this is the server_config.json of a config directory that a variable moved elsewhere: that directory may be approved as a whole. */
  relocated?: RelocatedConfigDir;
}

/** A config file is small; anything larger, or not a regular file (a FIFO, /dev/zero, a terminal), is refused unread. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** `~/.config/mcp-cli/server_config.json` of the account's home: the one file that is the user's own, whatever the environment says. */
export function ownConfigPath(accountHomeDir: string): string {
  return join(ownConfigDir(accountHomeDir), CONFIG_FILE_NAME);
}

/** `<config dir>/server_config.json`, the config directory as the variables place it: where mcp-cli looks, and where `clients import` adds servers. */
export function configDirFile(env: Env): string {
  return join(configDir(env), CONFIG_FILE_NAME);
}

function readLimited(path: string): string {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO does not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES'
        ? 'permission denied'
        : code === 'ENOENT'
          ? 'it does not exist'
          : code === 'ELOOP'
            ? 'it is a link that points to itself'
            : (code ?? (error as Error).message);
    throw new CliError(`cannot read the config file ${path}: ${why}`);
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new CliError(`cannot read the config file ${path}: it is a directory`);
    if (!info.isFile()) throw new CliError(`cannot read the config file ${path}: it is not a regular file`);
    if (info.size > MAX_CONFIG_BYTES) throw new CliError(`the config file ${path} is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB; it was not read`);
    return readWhole(fd, info.size).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Reads the file and says whether it is the user's own (from the account's home) or in a config directory a variable moved. */
export function readConfigFile(location: ConfigLocation, env: Env, accountHomeDir: string): ConfigFile {
  const text = readLimited(location.path);
  let realPath: string;
  try {
    realPath = realpathSync(location.path);
  } catch {
    realPath = location.path;
  }
  const own = samePath(location.path, ownConfigPath(accountHomeDir));
  const relocated = !own && samePath(location.path, configDirFile(env)) ? { dir: configDir(env), by: configDirSource(env) } : undefined;
  return { location, realPath, text, own, ...(relocated ? { relocated } : {}) };
}

/**
 * Why someone besides this account could change what a moved config directory's server_config.json
 * holds, so that approving the directory as a whole would approve their edits; undefined when only
 * this account (and root) can.
 */
export function openToOthers(dir: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return 'who may change it cannot be checked on this system';
  for (const [what, path] of [
    ['the directory', dir],
    [`its ${CONFIG_FILE_NAME}`, join(dir, CONFIG_FILE_NAME)],
  ] as const) {
    let info;
    try {
      info = statSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return `${what} cannot be examined (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    if (info.uid !== uid) return `${what} belongs to uid ${info.uid}, not to this user`;
    if ((info.mode & 0o022) !== 0) return `${what} may be written by others (mode 0${(info.mode & 0o777).toString(8)})`;
  }
  return undefined;
}
