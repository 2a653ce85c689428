import type { Ctx } from '../context.js';
import { CliError } from '../errors.js';
import type { ServerConfig } from '../config/schema.js';
import { parseDuration } from '../tokens/duration.js';
import { keyOf, type TokenMetadata } from '../tokens/model.js';
import { inWords } from '../tokens/duration.js';
import { warn } from '../io/notices.js';

export const DEFAULT_EXPIRY_WARNING_MS = 7 * 86_400_000;

/** How far ahead to warn: `MCP_CLI_TOKEN_EXPIRY_WARNING`, else `tokenExpiryWarning` in the config, else 7 days; 0 never warns. */
export function expiryWarningWindow(config: ServerConfig, ctx: Ctx): number {
  const fromEnv = ctx.env.MCP_CLI_TOKEN_EXPIRY_WARNING;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (/^(0|off)$/i.test(fromEnv.trim())) return 0;
    const ms = parseDuration(fromEnv);
    if (ms === undefined) throw new CliError(`MCP_CLI_TOKEN_EXPIRY_WARNING=${JSON.stringify(fromEnv)} is not a duration such as 7d, 12h or 2w, or "off"`);
    return ms;
  }
  return config.tokenExpiryWarningMs ?? DEFAULT_EXPIRY_WARNING_MS;
}

/** Whether a token that has not expired yet expires within the window. */
export function expiresWithin(metadata: TokenMetadata, windowMs: number, now: Date): boolean {
  if (metadata.expiresAt === undefined || windowMs <= 0) return false;
  const left = Date.parse(metadata.expiresAt) - now.getTime();
  return left > 0 && left <= windowMs;
}

/** One stderr line per token that a command is about to use and that expires soon: its name and when, never a value. */
export function warnExpiringTokens(ctx: Ctx, used: { server: string; tokens: TokenMetadata[] }[], windowMs: number): void {
  const now = ctx.now();
  const servers = new Map<string, { metadata: TokenMetadata; servers: string[] }>();
  for (const { server, tokens } of used) {
    for (const metadata of tokens) {
      if (!expiresWithin(metadata, windowMs, now)) continue;
      const entry = servers.get(keyOf(metadata)) ?? { metadata, servers: [] };
      if (!entry.servers.includes(server)) entry.servers.push(server);
      servers.set(keyOf(metadata), entry);
    }
  }
  for (const { metadata, servers: names } of servers.values()) {
    const left = Date.parse(metadata.expiresAt!) - now.getTime();
    const by = names.length === 1 ? `server '${names[0]}'` : `servers ${names.map((n) => `'${n}'`).join(', ')}`;
    warn(ctx, `token '${metadata.name}' (namespace '${metadata.namespace}', used by ${by}) expires in ${inWords(left)}, at ${metadata.expiresAt}`);
  }
}
