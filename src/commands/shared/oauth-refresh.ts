import type { Ctx } from '../../context.js';
import { resolveServers } from '../../config/resolve.js';
import type { ServerConfig } from '../../config/schema.js';
import type { SavedTokens } from '../../oauth/records.js';
import type { OAuthTarget } from '../../oauth/target.js';
import type { ReadPurpose, TokenManager } from '../../tokens/manager.js';

/**
 * Refreshes one server's OAuth login now, with the session the connections use (cross-process lock,
 * rotation, removal of a dead login). The configured entry supplies the client (its `oauth` block,
 * references resolved); a login whose server left the config uses its stored registration.
 */
export async function refreshLoginNow(ctx: Ctx, manager: TokenManager, config: ServerConfig | undefined, name: string, saved: SavedTokens, purpose: ReadPurpose): Promise<SavedTokens> {
  let target: OAuthTarget = { name, url: saved.resource ?? saved.issuer };
  const entry = config?.servers[name];
  if (config && entry && entry.transport !== 'stdio') {
    const [server] = await resolveServers(config.servers, [name], { lookup: (key) => manager.lookup(key, purpose), env: ctx.env, now: ctx.now() });
    if (server!.entry.transport !== 'stdio') target = { name, url: server!.entry.url, ...(server!.entry.oauth ? { oauth: server!.entry.oauth } : {}) };
  }
  const { OAuthSession } = await import('../../oauth/session.js');
  return new OAuthSession({ target, manager, env: ctx.env, now: ctx.now }).refreshNow();
}
