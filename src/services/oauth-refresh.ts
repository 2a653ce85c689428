import type { Ctx } from '../context.js';
import { CliError } from '../errors.js';
import { isMachineGrant, type SavedTokens } from '../oauth/records.js';
import { grantsItself } from '../oauth/target.js';
import type { RefreshTrigger } from '../oauth/session.js';

/**
 * Sends one refresh grant for a stored OAuth login now (for client credentials, a new grant), whatever its expiry (`token rotate --oauth`,
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
  const [{ OAuthSession }, { configuredOAuthTarget }] = await Promise.all([import('../oauth/session.js'), import('./oauth-target.js')]);
  // A named account's login is stored as SERVER@ACCOUNT: its server's entry applies, and the refresh stays with that account.
  const { account } = stored;
  const server = account !== undefined && name.endsWith(`@${account}`) ? name.slice(0, -account.length - 1) : name;
  const login = account !== undefined && server !== name ? { account } : {};
  const target = (await configuredOAuthTarget(server, ctx, login.account)) ?? {
    name: server,
    ...login,
    url: stored.resource ?? stored.server ?? stored.issuer,
  };
  if (isMachineGrant(stored.grant) && !grantsItself(target.oauth))
    throw new CliError(
      `the tokens of '${server}' come from a grant without a person (${stored.grant}), and no server_config.json entry of that name sets it up any more: a new grant needs its settings from there`,
    );
  const { manager } = await ctx.store();
  return new OAuthSession({ target, manager, env: ctx.env, platform: ctx.platform, now: ctx.now }).forceRefresh(trigger);
}
