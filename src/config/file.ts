import { closeSync, constants, fstatSync, openSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { readWhole } from '../fs/read-whole.js';
import { configDir, type Env } from '../paths.js';
import { CONFIG_FILE_NAME, type ConfigLocation } from './locate.js';

/** A config file as read once: every decision (approval, parsing) is made on these same bytes. */
export interface ConfigFile {
  /** `location.path` is absolute, as found (links not resolved): what the user sees, and what an approval names. */
  location: ConfigLocation;
  /** The path with links resolved: an approval is pinned to it too. */
  realPath: string;
  text: string;
  /** The config directory's server_config.json (at that very path, not a link to it elsewhere): the user's own, trusted without approval. */
  own: boolean;
}

/** A config file is small; anything larger, or not a regular file (a FIFO, /dev/zero, a terminal), is refused unread. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** `<config dir>/server_config.json`, the one file that is the user's own. */
export function ownConfigPath(env: Env): string {
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

export function readConfigFile(location: ConfigLocation, env: Env): ConfigFile {
  const text = readLimited(location.path);
  let realPath: string;
  try {
    realPath = realpathSync(location.path);
  } catch {
    realPath = location.path;
  }
  return { location, realPath, text, own: location.path === ownConfigPath(env) };
}
