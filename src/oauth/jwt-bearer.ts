import type { OAuthTokens } from '@modelcontextprotocol/client';
import { CliError, ExitCode, type ExitCodeValue } from '../errors.js';
import type { Env } from '../paths.js';
import { signedAssertion, type ClientCredentialsOptions } from './client-credentials.js';
import type { Discovery } from './discovery.js';
import { TOKENS_NAMESPACE, tokensFromResponse, writeClient, writeTokens, type OAuthGrant, type SavedTokens } from './records.js';
import type { OAuthTarget } from './target.js';
import { authenticateClient, parseTokens, postForm } from './token-endpoint.js';
import { urlForMessage } from './url-policy.js';

/** RFC 7523 section 2.1: a JWT as an authorization grant. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** What a new grant of a server that gets its tokens by itself needs: a client credentials grant's options, and the environment a workload's assertion may come from. */
export interface SelfGrantOptions extends ClientCredentialsOptions {
  env: Env;
  platform: NodeJS.Platform;
}

/** An authorization server that lists its grants and not this one is told so before any JWT is sent. */
export function requireJwtBearerGrant(discovery: Discovery, server: string, what: string): void {
  const grants = discovery.metadata.grant_types_supported;
  if (grants !== undefined && !grants.includes(JWT_BEARER_GRANT))
    throw new CliError(
      `the authorization server ${urlForMessage(discovery.issuer)} of '${server}' does not accept ${what} (its grant_types_supported lacks ${JWT_BEARER_GRANT}); nothing was sent`,
    );
}

/**
 * One jwt-bearer token request (RFC 7523 section 2.1) to the discovered token endpoint: the JWT as
 * `assertion`, the scope and the resource indicator, and the configured client's authentication where
 * there is one (optional for this grant, section 3.1): a signed assertion for `privateKey`, else the
 * secret as the server prefers it, else its `client_id` alone. Throws OAuthEndpointError on refusal.
 */
export async function requestJwtBearer(
  target: OAuthTarget,
  discovery: Discovery,
  assertion: string,
  scope: string | undefined,
  now: Date,
): Promise<OAuthTokens> {
  const { metadata } = discovery;
  const oauth = target.oauth ?? {};
  const params = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion });
  if (scope) params.set('scope', scope);
  if (discovery.resource !== undefined) params.set('resource', discovery.resource);
  const headers = new Headers();
  let clientAssertion: string | undefined;
  if (oauth.clientId !== undefined) {
    clientAssertion = oauth.privateKey !== undefined ? signedAssertion(target, discovery, oauth.clientId, oauth.privateKey, now) : undefined;
    const client = { client_id: oauth.clientId, ...(oauth.clientSecret !== undefined ? { client_secret: oauth.clientSecret } : {}) };
    await authenticateClient(client, metadata.token_endpoint_auth_methods_supported, headers, params, clientAssertion);
  }
  const body = await postForm(metadata.token_endpoint, params, headers, [assertion, oauth.clientSecret, clientAssertion]);
  return parseTokens(body, metadata.token_endpoint);
}

/**
 * Stores the tokens of a grant that renews itself: the access token only (a refresh token, should the
 * server send one, is dropped: the next grant replaces expired tokens, so nothing long-lived is kept),
 * the configured client's ID without any secret, and the audit event.
 */
export async function saveSelfGranted(
  options: SelfGrantOptions,
  discovery: Discovery,
  tokens: OAuthTokens,
  grant: OAuthGrant,
  scope: string | undefined,
  audit: Record<string, string>,
  extra: Partial<SavedTokens> = {},
): Promise<SavedTokens> {
  const { target, manager } = options;
  const { refresh_token: _dropped, ...accessOnly } = tokens;
  const clientId = target.oauth?.clientId;
  const saved: SavedTokens = {
    ...tokensFromResponse(accessOnly, {
      issuer: discovery.issuer,
      resource: discovery.resource,
      server: target.url,
      now: options.now(),
      clientId,
      grant,
      requestedScope: scope,
      ...(options.previous ? { previous: { ...options.previous, refreshToken: undefined } } : {}),
      stepUp: options.stepUp,
    }),
    ...extra,
  };
  await writeTokens(manager, target.name, saved);
  if (clientId !== undefined) await writeClient(manager, target.name, { issuer: discovery.issuer, kind: 'configured', information: { client_id: clientId } });
  await manager.recordEvent(
    options.previous ? 'refreshed' : 'login',
    { namespace: TOKENS_NAMESPACE, name: target.name },
    {
      issuer: discovery.issuer,
      grant,
      ...audit,
      ...(options.trigger ? { trigger: options.trigger } : {}),
      ...(options.stepUp ? { stepUp: 'true' } : {}),
    },
  );
  return saved;
}

/** The exit code of a refused grant: the credentials (exit 4, authentication needed) or something else. */
export function refusalExit(code: string): ExitCodeValue {
  return code === 'invalid_grant' || code === 'invalid_client' || code === 'unauthorized_client' ? ExitCode.authRequired : ExitCode.failure;
}
