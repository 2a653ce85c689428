import { join } from 'node:path';
import type { Ctx } from '../context.js';
import { CliError } from '../errors.js';
import type { ConfigFile } from '../config/file.js';
import { parseJsonText } from '../config/json.js';
import { CONFIG_FILE_NAME } from '../config/locate.js';
import { anchorToConfigFile, resolveForDisplay, resolveServers, type ResolvedServer, type Unresolved } from '../config/resolve.js';
import { parseServerConfig, type ServerConfig } from '../config/schema.js';
import { configDir, configDirSource, ownConfigDir, samePath, tildePath } from '../paths.js';
import { storeLookup } from './factory.js';
import { configDirectoryFile, locatedConfigFile, mayUse, requireApproved, warnNotUsed } from './config-access.js';
import { expiryWarningWindow, warnExpiringTokens } from './expiry-notice.js';

/** Finds, approves and validates server_config.json; a missing file is an error saying where it was looked for. */
export async function loadConfigFor(ctx: Ctx): Promise<ServerConfig> {
  const file = locatedConfigFile(ctx);
  if (!file) {
    const inCwd = ctx.globals.workingDirectoryConfig !== false;
    throw new CliError(
      `no ${CONFIG_FILE_NAME} found (looked in ${inCwd ? `${ctx.cwd} and ` : ''}the config directory ${configDir(ctx.env)})`,
      1,
      `${createHint(ctx)}; or pass --config PATH`,
    );
  }
  // A file that cannot be used anyway says so first; nothing in it is acted on before approval.
  const config = parseConfigFile(file);
  await requireApproved(ctx, file);
  return config;
}

/**
 * Where to create a config: the user's own file, which is trusted as it is and which `run` reads
 * (a ./server_config.json would need approval first, and `run` never reads it). Where a variable
 * moved the config directory, that is where mcp-cli looks, and a file there needs approval once.
 */
function createHint(ctx: Ctx): string {
  const dir = configDir(ctx.env);
  const own = ownConfigDir(ctx.home);
  if (samePath(dir, own))
    return `create your own config, ${tildePath(join(own, CONFIG_FILE_NAME), ctx.home)}: it is trusted as it is, and it is the one \`mcp-cli run\` reads`;
  return `create ${join(dir, CONFIG_FILE_NAME)} (${configDirSource(ctx.env)} moved the config directory there, so mcp-cli asks you to approve it once)`;
}

/**
 * The config when there is one that may be used: commands that work without it (token validate,
 * token rotate) still honour it. An unapproved file is passed over, with a warning, for the user's own.
 */
export async function loadConfigIfAny(ctx: Ctx): Promise<ServerConfig | undefined> {
  const file = locatedConfigFile(ctx);
  if (!file) return undefined;
  if (await mayUse(ctx, file)) return parseConfigFile(file);
  warnNotUsed(ctx, file, 'servers and settings');
  const fallback = configDirectoryFile(ctx);
  return fallback && fallback !== file && (await mayUse(ctx, fallback)) ? parseConfigFile(fallback) : undefined;
}

function parseConfigFile(file: ConfigFile): ServerConfig {
  return parseServerConfig(parseJsonText(file.text, file.location.path), file.location);
}

/** Checks that every name is a configured server; with no names, all of them. */
export function serverNames(config: ServerConfig, wanted: string[]): string[] {
  const configured = Object.keys(config.servers);
  for (const name of wanted) {
    if (!Object.hasOwn(config.servers, name)) {
      const known = configured.length > 0 ? `configured: ${configured.join(', ')}` : 'it has no mcpServers';
      throw new CliError(`no server '${name}' in ${config.location.path} (${known})`);
    }
  }
  return wanted.length > 0 ? wanted : configured;
}

/** Resolves the named servers and warns about the tokens they use that expire soon. */
export async function resolveConfigured(ctx: Ctx, config: ServerConfig, names: string[]): Promise<ResolvedServer[]> {
  const resolved = await resolveServers(config.servers, names, { lookup: storeLookup(ctx), env: ctx.env, now: ctx.now() });
  return warnedOfExpiry(ctx, config, resolved);
}

/** As `resolveConfigured`, for showing the servers: the references that cannot be resolved are handed back, marked in place. */
export async function resolveConfiguredForDisplay(
  ctx: Ctx,
  config: ServerConfig,
  names: string[],
): Promise<{ servers: ResolvedServer[]; problems: Unresolved[] }> {
  const { servers, problems } = await resolveForDisplay(config.servers, names, { lookup: storeLookup(ctx), env: ctx.env, now: ctx.now() });
  return { servers: warnedOfExpiry(ctx, config, servers), problems };
}

function warnedOfExpiry(ctx: Ctx, config: ServerConfig, servers: ResolvedServer[]): ResolvedServer[] {
  const resolved = servers.map((server) => anchorToConfigFile(server, config.location.path));
  warnExpiringTokens(
    ctx,
    resolved.map((s) => ({ server: s.name, tokens: s.tokens })),
    expiryWarningWindow(config, ctx),
  );
  return resolved;
}
