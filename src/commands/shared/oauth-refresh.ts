import type { Ctx } from '../../context.js';
import type { SavedTokens } from '../../oauth/records.js';
import type { RefreshTrigger } from '../../oauth/session.js';

/**
 * Sends one refresh grant for a stored OAuth login now, whatever its expiry (`token rotate --oauth`,
 * `token validate`), through the session the connections use: cross-process lock, rotated refresh
 * token, removal of a dead login, audit. The server's config entry supplies a pre-registered client;
 * a login whose server has no entry uses its stored registration.
 */
export async function forceRefreshLogin(
  ctx: Ctx,
  name: string,
  stored: SavedTokens,
  trigger: Extract<RefreshTrigger, 'rotate' | 'validate'>,
): Promise<SavedTokens> {
  const [{ OAuthSession }, { configuredOAuthTarget }] = await Promise.all([import('../../oauth/session.js'), import('./oauth-target.js')]);
  const target = (await configuredOAuthTarget(name, ctx)) ?? { name, url: stored.resource ?? stored.issuer };
  const { manager } = await ctx.store();
  return new OAuthSession({ target, manager, env: ctx.env, now: ctx.now }).forceRefresh(trigger);
}
