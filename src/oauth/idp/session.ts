import { CliError, ExitCode } from '../../errors.js';
import type { IdpSettings } from '../../config/schema.js';
import type { TokenManager } from '../../tokens/manager.js';
import { OAUTH_IDP_NAMESPACE } from '../../tokens/model.js';
import { jwtClaims } from '../assertion-source.js';
import { sameIssuer } from '../records.js';
import { authenticateClient, OAuthEndpointError, postForm } from '../token-endpoint.js';
import { urlForMessage } from '../url-policy.js';
import type { IdpMetadata } from './metadata.js';

/** The one IdP login of the account: `oauth-idp:idp` in the secure backend. */
const KEY = { namespace: OAUTH_IDP_NAMESPACE, name: 'idp' } as const;
/** An ID token this close to its expiry is renewed before it is exchanged: the exchange must not race its end. */
const RENEW_BEFORE_MS = 60_000;

/** What the secure backend keeps of the IdP login. Secrets: idToken (stored as `value`), refreshToken. */
export interface IdpSession {
  issuer: string;
  clientId: string;
  idToken: string;
  refreshToken?: string;
  /** The ID token's `exp`, ISO 8601. */
  expiresAt?: string;
  /** The ID token's `sub`: who is signed in (not a secret). */
  subject?: string;
}

export async function readIdpSession(manager: TokenManager): Promise<IdpSession | undefined> {
  const stored = await manager.read(KEY, 'oauth');
  if (!stored?.secret.value || !stored.metadata.details.issuer || !stored.metadata.details.clientId) return undefined;
  const { details } = stored.metadata;
  return {
    issuer: details.issuer!,
    clientId: details.clientId!,
    idToken: stored.secret.value,
    ...(stored.secret.refreshToken ? { refreshToken: stored.secret.refreshToken } : {}),
    ...(stored.metadata.expiresAt ? { expiresAt: stored.metadata.expiresAt } : {}),
    ...(details.subject ? { subject: details.subject } : {}),
  };
}

export async function writeIdpSession(manager: TokenManager, session: IdpSession): Promise<void> {
  await manager.set({
    ...KEY,
    // `value` is the ID token: the generic type's primary secret; the namespace keeps it out of every ${TOKEN:...} reference.
    type: 'generic',
    secret: { value: session.idToken, ...(session.refreshToken ? { refreshToken: session.refreshToken } : {}) },
    expiresAt: session.expiresAt ? new Date(session.expiresAt) : undefined,
    details: { issuer: session.issuer, clientId: session.clientId, ...(session.subject ? { subject: session.subject } : {}) },
  });
}

export async function deleteIdpSession(manager: TokenManager, reason: string): Promise<boolean> {
  return manager.remove(KEY, { reason });
}

/**
 * An ID token as the configured provider issued it for the configured client: a JWT whose `iss` is
 * the provider, whose `aud` names the client and which has not expired. Its signature is the
 * provider's to check when it gets the token back in the exchange; what is checked here keeps a
 * token of another provider or client from being stored and sent. Returns the session to store.
 */
export function sessionFromIdToken(idToken: string, settings: IdpSettings, now: Date, refreshToken?: string): IdpSession {
  const claims = jwtClaims(idToken) as (Record<string, unknown> & { iss?: unknown; aud?: unknown; exp?: unknown; sub?: unknown }) | undefined;
  if (!claims) throw new CliError('the ID token is not a JWT (three base64url parts separated by dots)');
  if (typeof claims.iss !== 'string' || !sameIssuer(claims.iss, settings.issuer))
    throw new CliError(
      `the ID token was issued by ${typeof claims.iss === 'string' ? urlForMessage(claims.iss) : 'nobody named'}, not your identity provider ${urlForMessage(settings.issuer)}`,
    );
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(settings.clientId)) throw new CliError(`the ID token is not for the client ${settings.clientId} (idp.clientId); it was not stored`);
  if (typeof claims.exp !== 'number') throw new CliError('the ID token has no expiry (exp); it was not stored');
  if (claims.exp * 1000 <= now.getTime())
    throw new CliError(`the ID token expired at ${new Date(claims.exp * 1000).toISOString()}; it was not stored`, ExitCode.authRequired);
  return {
    issuer: settings.issuer,
    clientId: settings.clientId,
    idToken,
    ...(refreshToken ? { refreshToken } : {}),
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    ...(typeof claims.sub === 'string' ? { subject: claims.sub } : {}),
  };
}

/** The IdP login is gone or unusable: exit 4 with the command that renews it. */
export function idpLoginRequired(reason: string): CliError {
  return new CliError(`${reason}; run mcp-cli auth idp login`, ExitCode.authRequired, 'run `mcp-cli auth idp login` in a terminal');
}

/** How the configured client authenticates to the provider's token endpoint. */
export async function idpClientAuth(settings: IdpSettings, metadata: IdpMetadata, params: URLSearchParams): Promise<Headers> {
  const headers = new Headers();
  const client = { client_id: settings.clientId, ...(settings.clientSecret !== undefined ? { client_secret: settings.clientSecret } : {}) };
  await authenticateClient(client, metadata.token_endpoint_auth_methods_supported, headers, params);
  return headers;
}

/**
 * The stored IdP login with an ID token that is still good, for this provider and client: renewed
 * with its refresh token when it is about to expire (and stored again), else the error that asks
 * for `mcp-cli auth idp login`.
 */
export async function freshIdpSession(manager: TokenManager, settings: IdpSettings, metadata: IdpMetadata, now: Date): Promise<IdpSession> {
  const session = await readIdpSession(manager);
  if (!session) throw idpLoginRequired('you are not signed in to your identity provider');
  if (!sameIssuer(session.issuer, settings.issuer) || session.clientId !== settings.clientId)
    throw idpLoginRequired(
      `your identity provider login is for ${urlForMessage(session.issuer)} (client ${session.clientId}), not the one your config names now`,
    );
  if (session.expiresAt === undefined || Date.parse(session.expiresAt) - RENEW_BEFORE_MS > now.getTime()) return session;
  if (!session.refreshToken) throw idpLoginRequired('your identity provider login has expired and cannot be renewed (no refresh token)');
  const params = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refreshToken });
  const headers = await idpClientAuth(settings, metadata, params);
  let body: Record<string, unknown>;
  try {
    body = (await postForm(metadata.token_endpoint, params, headers, [session.refreshToken, session.idToken, settings.clientSecret])) as Record<
      string,
      unknown
    >;
  } catch (error) {
    if (error instanceof OAuthEndpointError && error.code === 'invalid_grant')
      throw idpLoginRequired(`your identity provider refused to renew your login (${error.message})`);
    throw error;
  }
  if (typeof body.id_token !== 'string') throw idpLoginRequired('your identity provider renewed your login without a new ID token');
  const renewed = sessionFromIdToken(body.id_token, settings, now, typeof body.refresh_token === 'string' ? body.refresh_token : session.refreshToken);
  await writeIdpSession(manager, renewed);
  await manager.recordEvent('refreshed', KEY, { issuer: settings.issuer });
  return renewed;
}
