import { configDirFile } from '../config/file.js';
import { parseJsonText } from '../config/json.js';
import { parseServerConfig } from '../config/schema.js';
import { CliError } from '../errors.js';
import type { Env } from '../paths.js';
import { readClientFile, type ReadFile } from './files.js';

/** The user's own server_config.json: the file `mcp-cli run` reads, and the one `clients import` adds servers to. */
export interface OwnConfig {
  path: string;
  file?: ReadFile;
  /** Its server entries as written, by name. */
  servers: Record<string, unknown>;
}

const LOCATION = (path: string) => ({ path, source: 'the config directory' });

/** Reads it as `mcp-cli run` does (JSON, validated by src/config/shape.ts): a file it could not use is an error, and nothing is changed. */
export function readOwnConfig(env: Env): OwnConfig {
  const path = configDirFile(env);
  const file = readClientFile(path);
  if (!file) return { path, servers: {} };
  try {
    const data = parseJsonText(file.text, path);
    parseServerConfig(data, LOCATION(path));
    const servers = (data as { mcpServers?: Record<string, unknown> }).mcpServers ?? {};
    return { path, file, servers };
  } catch (error) {
    if (error instanceof CliError) throw new CliError(`${error.message}; nothing was changed`, 1, `fix ${path} first`);
    throw error;
  }
}

/** What is wrong with a server entry as server_config.json would hold it (the path in it and what was expected), or undefined. */
export function entryProblem(name: string, entry: Record<string, unknown>): string | undefined {
  try {
    parseServerConfig({ mcpServers: { [name]: entry } }, LOCATION('server_config.json'));
    return undefined;
  } catch (error) {
    if (error instanceof CliError) return error.message.replace(/^server_config\.json: /, '');
    throw error;
  }
}

/** The text an import would write: it must be a server_config.json that `mcp-cli run` accepts, or nothing is written. */
export function checkOwnConfigText(path: string, text: string): void {
  try {
    parseServerConfig(parseJsonText(text, path), LOCATION(path));
  } catch (error) {
    if (error instanceof CliError) throw new CliError(`mcp-cli would write an entry it cannot read: ${error.message}; nothing was changed`);
    throw error;
  }
}
