import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { configDir, type Env } from '../paths.js';
import { CONFIG_FILE_NAME, type ConfigLocation } from './locate.js';

/** A config file as read once: every decision (approval, parsing) is made on these same bytes. */
export interface ConfigFile {
  location: ConfigLocation;
  /** The path with links resolved: what an approval is pinned to. */
  realPath: string;
  text: string;
  /** The config directory's server_config.json: the user's own, trusted without approval. */
  own: boolean;
}

function realPathOf(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** `<config dir>/server_config.json`, the one file that is the user's own. */
export function ownConfigPath(env: Env): string {
  return join(configDir(env), CONFIG_FILE_NAME);
}

export function readConfigFile(location: ConfigLocation, env: Env): ConfigFile {
  let text: string;
  try {
    text = readFileSync(location.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : code === 'ENOENT' ? 'it does not exist' : (code ?? (error as Error).message);
    throw new CliError(`cannot read the config file ${location.path}: ${why}`);
  }
  const realPath = realPathOf(location.path) ?? location.path;
  return { location, realPath, text, own: realPath === realPathOf(ownConfigPath(env)) };
}
