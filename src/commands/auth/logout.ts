import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { deleteClient, deleteTokens, readClient, readTokens, sameIssuer, TOKENS_NAMESPACE, type SavedClient } from '../../oauth/records.js';
import { validateIdentifier } from '../../tokens/names.js';
import { lazyStoreOpener, type StoreOpener } from '../shared/server-config.js';

export interface LogoutOptions {
  localOnly?: boolean;
  forgetClient?: boolean;
}

/** Revokes the grant at the authorization server (RFC 7009) when it can, then deletes the tokens here. */
export async function run(server: string, options: LogoutOptions, ctx: Ctx): Promise<void> {
  validateIdentifier('name', server);
  const open = lazyStoreOpener(ctx);
  const { manager, selection } = await open();
  const tokens = await readTokens(manager, server);
  const client = await readClient(manager, server);
  if (!tokens && !(options.forgetClient && client)) throw new CliError(`not logged in to '${server}' (no OAuth tokens in the ${selection.name} backend)`);
  let revoked = false;
  if (tokens && !options.localOnly) {
    const credentials = await clientCredentials(server, tokens.issuer, client, ctx, open);
    if (!credentials) ctx.stderr.write(`! No client registration for ${tokens.issuer} is stored, so the tokens cannot be revoked there; deleting them here\n`);
    else {
      const { revokeTokens } = await import('../../oauth/revoke.js');
      revoked = (await revokeTokens(tokens, credentials)) === 'revoked';
      ctx.stderr.write(revoked ? `✓ Revoked the tokens at ${tokens.issuer}\n` : `! ${tokens.issuer} offers no revocation endpoint; deleting the tokens here only\n`);
    }
  }
  if (tokens) {
    await deleteTokens(manager, server);
    await manager.recordEvent('logout', { namespace: TOKENS_NAMESPACE, name: server }, { issuer: tokens.issuer, revoked: String(revoked) });
  }
  if (options.forgetClient && client) await deleteClient(manager, server);
  ctx.stderr.write(`✓ Logged out of '${server}'${options.forgetClient && client ? ' and forgot its client registration' : ''}\n`);
}

/** The stored registration for this issuer, else the pre-registered client of the server's config entry. */
async function clientCredentials(server: string, issuer: string, saved: SavedClient | undefined, ctx: Ctx, open: StoreOpener) {
  if (saved && sameIssuer(saved.issuer, issuer)) return saved.information;
  const { configuredOAuthTarget } = await import('./server.js');
  const configured = (await configuredOAuthTarget(server, ctx, open))?.oauth;
  return configured?.clientId ? { client_id: configured.clientId, client_secret: configured.clientSecret } : undefined;
}
