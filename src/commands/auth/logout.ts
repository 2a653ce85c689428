import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { printable } from '../../io/terminal-text.js';
import { deleteClient, deleteTokens, readClient, readTokens, sameIssuer, TOKENS_NAMESPACE, type SavedClient, type SavedTokens } from '../../oauth/records.js';
import { loginName } from '../../oauth/target.js';
import { validateIdentifier } from '../../tokens/names.js';

export interface LogoutOptions {
  localOnly?: boolean;
  forgetClient?: boolean;
  idp?: boolean;
  /** That account's login only; the server's default login, and its other accounts', stay. */
  account?: string;
}

/** Revokes the grant at the authorization server (RFC 7009) when it can, then deletes the tokens here. */
export async function run(server: string | undefined, options: LogoutOptions, ctx: Ctx): Promise<void> {
  if (options.idp) {
    if (server !== undefined || options.forgetClient || options.account !== undefined)
      throw new CliError('--idp signs out of your identity provider and every server riding on it: give no server, --account or --forget-client');
    return logoutIdp(ctx);
  }
  if (server === undefined) throw new CliError('name the server to log out of (or give --idp to sign out of your identity provider)');
  validateIdentifier('name', server);
  const { account } = options;
  if (account !== undefined) validateIdentifier('account', account);
  const stored = loginName({ name: server, account });
  const which = account !== undefined ? printable(` as the account '${account}'`) : '';
  const { manager, selection } = await ctx.store();
  const tokens = await readTokens(manager, stored);
  const client = await readClient(manager, stored);
  if (!tokens && !(options.forgetClient && client))
    throw new CliError(`not logged in to '${server}'${which} (no OAuth tokens in the ${selection.name} backend)`);
  let revoked = false;
  if (tokens && !options.localOnly) {
    const credentials = clientCredentials(tokens, client);
    if (!credentials)
      ctx.stderr.write(`! No client registration for ${printable(tokens.issuer)} is stored, so the tokens cannot be revoked there; deleting them here\n`);
    else {
      const [{ revokeTokens }, { assertionSigner }, { configuredOAuthTarget }] = await Promise.all([
        import('../../oauth/revoke.js'),
        import('../../oauth/client-credentials.js'),
        import('../../services/oauth-target.js'),
      ]);
      // A client that authenticates with a private key signs for the revocation too.
      const target = tokens.grant === 'client_credentials' ? await configuredOAuthTarget(server, ctx, account) : undefined;
      revoked = (await revokeTokens(tokens, credentials, target && assertionSigner(target, ctx.now))) === 'revoked';
      ctx.stderr.write(
        printable(revoked ? `✓ Revoked the tokens at ${tokens.issuer}` : `! ${tokens.issuer} offers no revocation endpoint; deleting the tokens here only`) +
          '\n',
      );
    }
  }
  if (tokens) {
    await deleteTokens(manager, stored, 'logout');
    await manager.recordEvent('logout', { namespace: TOKENS_NAMESPACE, name: stored }, { issuer: tokens.issuer, revoked: String(revoked) });
  }
  if (options.forgetClient && client) await deleteClient(manager, stored, 'logout --forget-client');
  ctx.stderr.write(`✓ Logged out of '${server}'${which}${options.forgetClient && client ? ' and forgot its client registration' : ''}\n`);
}

/** The registration the login was made with: revocation presents that client and no other. */
function clientCredentials(tokens: SavedTokens, saved: SavedClient | undefined) {
  if (!saved || !sameIssuer(saved.issuer, tokens.issuer)) return undefined;
  return tokens.clientId === undefined || saved.information.client_id === tokens.clientId ? saved.information : undefined;
}

/**
 * Signs out of the identity provider: its ID token and refresh token are deleted, and so is every
 * server login that rides on it (`"idp": true`), whose tokens came from grants of that login.
 */
async function logoutIdp(ctx: Ctx): Promise<void> {
  const { manager, selection } = await ctx.store();
  const { deleteIdpSession } = await import('../../oauth/idp/session.js');
  const riding: string[] = [];
  for (const { name } of await manager.list({ namespace: TOKENS_NAMESPACE })) {
    const tokens = await readTokens(manager, name);
    if (tokens?.grant !== 'id_jag') continue;
    await deleteTokens(manager, name, 'logout --idp');
    await manager.recordEvent('logout', { namespace: TOKENS_NAMESPACE, name }, { issuer: tokens.issuer, idp: tokens.idpIssuer ?? '' });
    riding.push(`'${name}'`);
  }
  const signedIn = await deleteIdpSession(manager, 'logout --idp');
  if (!signedIn && riding.length === 0) throw new CliError(`not signed in to an identity provider (nothing of it in the ${selection.name} backend)`);
  ctx.stderr.write(
    printable(
      `✓ Signed out of your identity provider${riding.length ? `, and logged out of ${riding.join(', ')}` : ''} (deleted here; grants already issued end with their tokens)`,
    ) + '\n',
  );
}
