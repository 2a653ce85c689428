import type { Ctx } from '../../context.js';
import { readJsonFile } from '../../config/json.js';
import { locateConfig } from '../../config/locate.js';
import { CliError } from '../../errors.js';
import type { OAuthSettings, OAuthTarget } from '../../oauth/target.js';
import type { TokenManager } from '../../tokens/manager.js';
import { primaryValue } from '../../tokens/model.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A whole-string `${TOKEN:namespace:name}` in `oauth.clientSecret` is read from the store. */
async function resolveSecret(value: string, manager: TokenManager, where: string): Promise<string> {
  const ref = /^\$\{TOKEN:([^:}]+):([^:}]+)\}$/.exec(value);
  if (!ref) return value;
  const token = await manager.get(ref[2]!, ref[1]!);
  const secret = primaryValue(token);
  if (!secret) throw new CliError(`${where}: the token ${value} has no value`, 4);
  return secret;
}

/** The URL and `oauth` settings of one HTTP server in server_config.json. */
export async function findOAuthTarget(name: string, ctx: Ctx, manager: TokenManager): Promise<OAuthTarget> {
  const location = locateConfig({ flag: ctx.globals.config, env: ctx.env, cwd: ctx.cwd });
  if (!location) throw new CliError(`no server_config.json found, so the server '${name}' is unknown`, 1, 'create one, or pass --config PATH');
  const config = await readJsonFile(location.path);
  const servers = isObject(config) && isObject(config.mcpServers) ? config.mcpServers : {};
  const entry = servers[name];
  if (!isObject(entry)) {
    const known = Object.keys(servers);
    throw new CliError(`no server '${name}' in ${location.path}`, 1, known.length ? `configured servers: ${known.join(', ')}` : 'add it under mcpServers');
  }
  if (typeof entry.url !== 'string') throw new CliError(`'${name}' in ${location.path} has no url: OAuth applies to HTTP servers only`);
  const where = `${location.path}: mcpServers.${name}.oauth`;
  const block = entry.oauth;
  if (block !== undefined && !isObject(block)) throw new CliError(`${where}: expected an object`);
  const oauth: OAuthSettings = {};
  for (const key of ['clientId', 'clientSecret', 'authServerMetadataUrl', 'clientMetadataUrl'] as const) {
    const value = block?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new CliError(`${where}.${key}: expected a string`);
    oauth[key] = value;
  }
  if (block?.scopes !== undefined) {
    if (!Array.isArray(block.scopes) || !block.scopes.every((s) => typeof s === 'string')) throw new CliError(`${where}.scopes: expected an array of strings`);
    oauth.scopes = block.scopes;
  }
  if (block?.callbackPort !== undefined) {
    const port = block.callbackPort;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`${where}.callbackPort: expected a port number`);
    oauth.callbackPort = port;
  }
  if (oauth.clientSecret !== undefined) oauth.clientSecret = await resolveSecret(oauth.clientSecret, manager, `${where}.clientSecret`);
  return { name, url: entry.url, oauth };
}
