import { createHash, randomBytes } from 'node:crypto';
import type { IdpSettings } from '../../config/schema.js';
import { CliError } from '../../errors.js';
import type { TokenManager } from '../../tokens/manager.js';
import { OAUTH_IDP_NAMESPACE } from '../../tokens/model.js';
import { jwtClaims } from '../assertion-source.js';
import { waitForAuthorizationCode } from '../authorization-wait.js';
import { checkAuthorizationResponse, deadline, DEFAULT_LOGIN_TIMEOUT_MS, type LoginIo } from '../login.js';
import { startLoopback } from '../loopback.js';
import { OAuthEndpointError, postForm } from '../token-endpoint.js';
import { checkOAuthUrl, urlForMessage } from '../url-policy.js';
import { idpMetadata, type IdpMetadata } from './metadata.js';
import { idpClientAuth, sessionFromIdToken, writeIdpSession, type IdpSession } from './session.js';

export interface IdpLoginOptions {
  settings: IdpSettings;
  manager: TokenManager;
  io: LoginIo;
  mode: 'browser' | 'paste';
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The one sign-in to the enterprise identity provider: OpenID Connect, authorization code with PKCE
 * S256, `state` and `nonce`, the redirect on a loopback listener (or pasted back). The ID token must
 * carry that nonce, name the provider and the client; it and the refresh token go to the secure
 * backend only.
 */
export async function idpLogin(options: IdpLoginOptions): Promise<IdpSession> {
  const { settings, io } = options;
  const metadata = await idpMetadata(settings.issuer);
  if (!metadata.authorization_endpoint)
    throw new CliError(`your identity provider ${urlForMessage(settings.issuer)} publishes no authorization_endpoint, so it offers no browser sign-in`);
  const methods = metadata.code_challenge_methods_supported;
  if (methods !== undefined && !methods.includes('S256'))
    throw new CliError(`your identity provider ${urlForMessage(settings.issuer)} does not support PKCE with S256; mcp-cli does not sign in without it`);
  const state = randomBytes(32).toString('base64url');
  const nonce = randomBytes(32).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  const issRequired = metadata.authorization_response_iss_parameter_supported === true;
  const check = (params: URLSearchParams, bare = false) => checkAuthorizationResponse(params, state, metadata.issuer, issRequired, bare);
  const listener = await startLoopback(settings.callbackPort ?? 0, (params) => params.get('state') === state, check);
  listener.result.catch(() => undefined);
  const limit = deadline(options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS, options.signal, () => 'the browser');
  const aborter = new AbortController();
  limit.promise.catch((error: unknown) => aborter.abort(error));
  try {
    const scopes = settings.scopes ?? ['openid', ...(metadata.scopes_supported?.includes('offline_access') ? ['offline_access'] : [])];
    const authorizationUrl = checkOAuthUrl(metadata.authorization_endpoint, 'authorization endpoint of your identity provider');
    for (const [key, value] of Object.entries({
      response_type: 'code',
      client_id: settings.clientId,
      redirect_uri: listener.redirectUrl,
      scope: scopes.includes('openid') ? scopes.join(' ') : ['openid', ...scopes].join(' '),
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      authorizationUrl.searchParams.set(key, value);
    const code = await Promise.race([
      waitForAuthorizationCode({
        label: `your identity provider (${urlForMessage(settings.issuer)})`,
        authorizationUrl,
        listener,
        mode: options.mode,
        io,
        signal: aborter.signal,
        checkPasted: (params, bare) => check(params, bare),
      }),
      limit.promise,
    ]);
    const session = await redeemCode(settings, metadata, code, verifier, listener.redirectUrl, nonce, io.now());
    await storeIdpSession(options.manager, session, 'browser');
    return session;
  } finally {
    limit.clear();
    await listener.close();
  }
}

async function redeemCode(
  settings: IdpSettings,
  metadata: IdpMetadata,
  code: string,
  verifier: string,
  redirectUri: string,
  nonce: string,
  now: Date,
): Promise<IdpSession> {
  const params = new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri });
  const headers = await idpClientAuth(settings, metadata, params);
  let body: Record<string, unknown>;
  try {
    body = (await postForm(metadata.token_endpoint, params, headers, [code, verifier, settings.clientSecret])) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof OAuthEndpointError)
      throw new CliError(`your identity provider ${urlForMessage(settings.issuer)} refused the sign-in: ${error.message}`);
    throw error;
  }
  if (typeof body.id_token !== 'string')
    throw new CliError(`your identity provider ${urlForMessage(settings.issuer)} answered the sign-in without an ID token (is "openid" among idp.scopes?)`);
  if ((jwtClaims(body.id_token) as Record<string, unknown> | undefined)?.nonce !== nonce)
    throw new CliError('the ID token does not carry the nonce of this sign-in; it was refused (OpenID Connect Core section 3.1.3.7)');
  return sessionFromIdToken(body.id_token, settings, now, typeof body.refresh_token === 'string' ? body.refresh_token : undefined);
}

/** An ID token obtained by another tool of the company (read from stdin), checked as a sign-in's is, and stored. */
export async function importIdToken(manager: TokenManager, settings: IdpSettings, idToken: string, now: Date): Promise<IdpSession> {
  const session = sessionFromIdToken(idToken.trim(), settings, now);
  await storeIdpSession(manager, session, 'stdin');
  return session;
}

async function storeIdpSession(manager: TokenManager, session: IdpSession, via: string): Promise<void> {
  await writeIdpSession(manager, session);
  await manager.recordEvent('login', { namespace: OAUTH_IDP_NAMESPACE, name: 'idp' }, { issuer: session.issuer, via });
}
