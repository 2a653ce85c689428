import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { deleteClient, deleteTokens, readClient, readTokens, sameIssuer, TOKENS_NAMESPACE } from '../../oauth/records.js';
import { validateIdentifier } from '../../tokens/names.js';
import { openTokenStore } from '../shared/storage.js';

export interface LogoutOptions {
  localOnly?: boolean;
  forgetClient?: boolean;
}

/** Revokes the grant at the authorization server (RFC 7009) when it can, then deletes the tokens here. */
export async function run(server: string, options: LogoutOptions, ctx: Ctx): Promise<void> {
  validateIdentifier('name', server);
  const { manager, selection } = await openTokenStore(ctx);
  const tokens = await readTokens(manager, server);
  const client = await readClient(manager, server);
  if (!tokens && !(options.forgetClient && client)) throw new CliError(`not logged in to '${server}' (no OAuth tokens in the ${selection.name} backend)`);
  if (tokens && !options.localOnly) {
    const credentials = await clientCredentials(server, tokens.issuer, client, ctx, manager);
    if (!credentials) ctx.stderr.write(`! No client registration for ${tokens.issuer} is stored, so the tokens cannot be revoked there; deleting them here\n`);
    else {
      const { revokeTokens } = await import('../../oauth/revoke.js');
      const result = await revokeTokens(tokens, credentials);
      ctx.stderr.write(result === 'revoked' ? `✓ Revoked the tokens at ${tokens.issuer}\n` : `! ${tokens.issuer} offers no revocation endpoint; deleting the tokens here only\n`);
    }
  }
  if (tokens) {
    await deleteTokens(manager, server);
    await manager.recordOAuth('logout', { namespace: TOKENS_NAMESPACE, name: server }, { issuer: tokens.issuer });
  }
  if (options.forgetClient && client) await deleteClient(manager, server);
  ctx.stderr.write(`✓ Logged out of '${server}'${options.forgetClient && client ? ' and forgot its client registration' : ''}\n`);
}

async function clientCredentials(server: string, issuer: string, saved: Awaited<ReturnType<typeof readClient>>, ctx: Ctx, manager: Parameters<typeof readClient>[0]) {
  if (saved && sameIssuer(saved.issuer, issuer)) return saved.information;
  try {
    const { findOAuthTarget } = await import('./server.js');
    const target = await findOAuthTarget(server, ctx, manager);
    if (target.oauth?.clientId) return { client_id: target.oauth.clientId, client_secret: target.oauth.clientSecret };
  } catch {
    // the server may have left the config since the login: nothing to revoke with
  }
  return undefined;
}
