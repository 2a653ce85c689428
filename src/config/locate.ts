import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../errors.js';
import { configDir, type Env } from '../paths.js';

export interface ConfigLocation {
  path: string;
  /** How it was found, for messages: `--config`, `MCP_CLI_CONFIG`, `./server_config.json`, or the config dir. */
  source: string;
}

export const CONFIG_FILE_NAME = 'server_config.json';

/**
 * `--config PATH` > `MCP_CLI_CONFIG` > `./server_config.json` > `<config dir>/server_config.json`.
 * A path given explicitly must exist; the two implicit places are simply skipped when absent.
 * `workingDirectory: false` leaves out `./server_config.json` (`mcp-cli run`: MCP clients start it in any directory).
 */
export function locateConfig(opts: { flag?: string; env: Env; cwd: string; workingDirectory?: boolean }): ConfigLocation | undefined {
  const explicit =
    opts.flag !== undefined
      ? { value: opts.flag, source: '--config' }
      : opts.env.MCP_CLI_CONFIG
        ? { value: opts.env.MCP_CLI_CONFIG, source: 'MCP_CLI_CONFIG' }
        : undefined;
  if (explicit) {
    const path = resolve(opts.cwd, explicit.value);
    if (!existsSync(path)) throw new CliError(`config file ${path} (from ${explicit.source}) does not exist`);
    return { path, source: explicit.source };
  }
  const local = join(opts.cwd, CONFIG_FILE_NAME);
  if (opts.workingDirectory !== false && existsSync(local)) return { path: local, source: `./${CONFIG_FILE_NAME}` };
  const inConfigDir = join(configDir(opts.env), CONFIG_FILE_NAME);
  if (existsSync(inConfigDir)) return { path: inConfigDir, source: 'the config directory' };
  return undefined;
}
