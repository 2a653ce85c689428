import type { AuthorizationServerMetadata } from '@modelcontextprotocol/client';
import { CliError, ExitCode } from '../errors.js';
import type { TokenManager } from '../tokens/manager.js';
import { assertionKey, clientAssertion } from './client-assertion.js';
import { discover, type Discovery } from './discovery.js';
import { dpopForGrant } from './dpop-grant.js';
import { TOKENS_NAMESPACE, tokensFromResponse, writeClient, writeTokens, type SavedTokens } from './records.js';
import { chooseClient } from './registration.js';
import { chooseScope } from './scopes.js';
import { loginName, type OAuthTarget } from './target.js';
import { authenticateClient, OAuthEndpointError, parseTokens, postForm } from './token-endpoint.js';
import { urlForMessage } from './url-policy.js';

export interface ClientCredentialsOptions {
  target: OAuthTarget;
  manager: TokenManager;
  now(): Date;
  /** The scopes to ask for (a step-up's union); default `oauth.scopes`, else the server's `scopes_supported`. */
  scope?: string;
  /** The tokens this grant replaces: their step-up is kept. */
  previous?: SavedTokens;
  stepUp?: boolean;
  resourceMetadataUrl?: URL;
  /** The scope a 401's challenge named: asked for unless oauth.scopes says otherwise. */
  challengeScope?: string;
  /** Why a grant replaces stored tokens, for the audit log (as a refresh records it). */
  trigger?: string;
}

/** The assertion's audience: the issuer (RFC 7523 as the OAuth working group now reads it), or the token endpoint where the server wants that. */
function assertionAudience(target: OAuthTarget, metadata: AuthorizationServerMetadata): string {
  return target.oauth?.assertionAudience === 'token_endpoint' ? metadata.token_endpoint : metadata.issuer;
}

/** Signs client assertions for the configured private key, for other endpoints of the same server (revocation); undefined without a key. */
export function assertionSigner(target: OAuthTarget, now: () => Date): ((metadata: AuthorizationServerMetadata) => string) | undefined {
  const { privateKey, clientId, keyId } = target.oauth ?? {};
  if (privateKey === undefined || clientId === undefined) return undefined;
  return (metadata) =>
    clientAssertion(assertionKey(privateKey, target.name), {
      clientId,
      audience: assertionAudience(target, metadata),
      now: now(),
      ...(keyId ? { keyId } : {}),
    });
}

/** private_key_jwt as this authorization server accepts it, or an error saying what it does not; for every grant whose client signs. */
export function signedAssertion(target: OAuthTarget, discovery: Discovery, clientId: string, pem: string, now: Date): string {
  const { metadata } = discovery;
  const methods = metadata.token_endpoint_auth_methods_supported;
  if (methods !== undefined && !methods.includes('private_key_jwt'))
    throw new CliError(
      `the authorization server ${urlForMessage(discovery.issuer)} of '${target.name}' does not accept private_key_jwt client authentication (it offers ${methods.join(', ') || 'none'})`,
      1,
      'use oauth.clientSecret instead of oauth.privateKey',
    );
  const key = assertionKey(pem, target.name);
  const algs = metadata.token_endpoint_auth_signing_alg_values_supported;
  if (algs !== undefined && !algs.includes(key.alg))
    throw new CliError(
      `the authorization server ${urlForMessage(discovery.issuer)} does not accept ${key.alg} client assertions (it accepts ${algs.join(', ')})`,
    );
  return clientAssertion(key, { clientId, audience: assertionAudience(target, metadata), now, ...(target.oauth?.keyId ? { keyId: target.oauth.keyId } : {}) });
}

/**
 * The client credentials grant (the MCP `oauth-client-credentials` extension): the pre-registered
 * client authenticates with its secret or a signed assertion and gets an access token for itself,
 * with no browser and no user. There is no refresh token to keep: a new grant replaces an expired
 * token. The tokens (and the client, bound to the issuer) are stored as a login's are.
 */
export async function clientCredentialsGrant(options: ClientCredentialsOptions): Promise<SavedTokens> {
  const { target, manager } = options;
  const oauth = target.oauth;
  if (oauth?.clientId === undefined) throw new CliError(`'${target.name}' uses the client credentials grant without oauth.clientId`);
  const discovery = await discover(target, options.resourceMetadataUrl);
  const { issuer, metadata } = discovery;
  const client = await chooseClient(target, manager, discovery, { redirectUri: '', device: false });
  const scope = chooseScope({
    requested: options.scope,
    configured: oauth.scopes,
    challenge: options.challengeScope,
    resourceMetadata: discovery.resourceMetadata,
    metadata,
    refreshable: false,
  });
  const params = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope) params.set('scope', scope);
  if (discovery.resource !== undefined) params.set('resource', discovery.resource);
  const headers = new Headers();
  const now = options.now();
  const assertion = oauth.privateKey !== undefined ? signedAssertion(target, discovery, oauth.clientId, oauth.privateKey, now) : undefined;
  await authenticateClient(client.information, metadata.token_endpoint_auth_methods_supported, headers, params, assertion);
  // A new grant keeps the key of the tokens it replaces, as a refresh would.
  const dpop = dpopForGrant(target, discovery, options.previous?.dpop);
  let body: unknown;
  try {
    body = await postForm(metadata.token_endpoint, params, headers, [oauth.clientSecret, assertion], undefined, dpop?.tokenFetch);
  } catch (error) {
    if (!(error instanceof OAuthEndpointError)) throw error;
    const refused = error.code === 'invalid_client' || error.code === 'unauthorized_client';
    throw new CliError(
      `the authorization server ${urlForMessage(issuer)} refused the client credentials grant of '${target.name}': ${error.message}`,
      refused ? ExitCode.authRequired : ExitCode.failure,
      refused ? `check oauth.clientId and ${oauth.privateKey !== undefined ? 'oauth.privateKey' : 'oauth.clientSecret'} of '${target.name}'` : undefined,
    );
  }
  const tokens = await parseTokens(body, metadata.token_endpoint);
  const saved = tokensFromResponse(tokens, {
    issuer,
    resource: discovery.resource,
    server: target.url,
    name: target.name,
    now,
    clientId: oauth.clientId,
    grant: 'client_credentials',
    requestedScope: scope,
    ...(dpop ? { dpop: dpop.binding } : {}),
    dpopRequired: oauth.dpop === true,
    ...(options.previous ? { previous: { ...options.previous, refreshToken: undefined } } : {}),
    stepUp: options.stepUp,
    ...(target.account !== undefined ? { account: target.account } : {}),
  });
  await writeTokens(manager, loginName(target), saved);
  await writeClient(manager, loginName(target), { issuer, kind: client.kind, information: client.information });
  await manager.recordEvent(
    options.previous ? 'refreshed' : 'login',
    { namespace: TOKENS_NAMESPACE, name: loginName(target) },
    {
      issuer,
      client: client.kind,
      grant: 'client_credentials',
      ...(options.trigger ? { trigger: options.trigger } : {}),
      ...(options.stepUp ? { stepUp: 'true' } : {}),
    },
  );
  return saved;
}
