import type { Challenge, OAuthSession } from './session.js';
import { policedFetch } from './url-policy.js';

type Fetch = typeof fetch;

export interface OAuthFetchOptions {
  /** The session, created on first use: a server that never asks for OAuth never opens the token store. */
  session: () => Promise<OAuthSession>;
  /** Send a stored token from the first request (a server configured for OAuth); else only once a 401 advertises OAuth. */
  upFront: boolean;
  /** Whether a 401 that came without a token means the server does OAuth. */
  advertisesOAuth: (response: Response) => Promise<boolean>;
  /** Told every access token before it is sent (the first, refreshed, step-up and client credentials ones alike), so that its echo can be masked. */
  onTokenSent?: (token: string) => void;
}

export interface OAuthFetch {
  fetch: Fetch;
  /** Whether OAuth is in play for this server: configured, or advertised by a 401. */
  usesOAuth(): boolean;
}

/** What a 401 or 403 challenge (WWW-Authenticate) says: where the resource metadata is, the scope it asks for, and the error. */
async function challengeOf(response: Response): Promise<Challenge & { error?: string }> {
  const { extractWWWAuthenticateParams } = await import('@modelcontextprotocol/client');
  const { error, scope, resourceMetadataUrl } = extractWWWAuthenticateParams(response);
  return { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}), ...(error ? { error } : {}) };
}

/**
 * A fetch for the MCP transport of one server: adds the access token (fresh) as a Bearer token, or for
 * a DPoP-bound one with a proof of the key (answering the server's nonce challenge), and after a 401
 * refreshes once (or logs in again, asking for the scope the challenge names) and retries; after a
 * 403 `insufficient_scope`, authorizes again for the scopes held and those asked (step-up) and
 * retries, as often as the session's limits allow. Requests to any other origin never carry it.
 */
export function oauthFetch(serverUrl: string, options: OAuthFetchOptions, base: Fetch = fetch): OAuthFetch {
  const origin = new URL(serverUrl).origin;
  let active = options.upFront;
  let hint: Challenge = {};
  const wrapped: Fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.origin !== origin) return base(input, init);
    const send = async (token: string | undefined) => {
      const headers = new Headers(init?.headers);
      if (token) options.onTokenSent?.(token);
      const dpopKey = token ? await (await options.session()).dpopKeyFor(token) : undefined;
      if (dpopKey) {
        const { fetchWithDpopToken } = await import('./dpop-fetch.js');
        return fetchWithDpopToken(base, input, { ...init, headers }, token!, dpopKey);
      }
      if (token) headers.set('authorization', `Bearer ${token}`);
      return base(input, { ...init, headers });
    };
    // The latest challenge is the one that counts: its scope is what this operation needs.
    const noteChallenge = async (response: Response) => {
      await response.body?.cancel();
      const { resourceMetadataUrl = hint.resourceMetadataUrl, scope } = await challengeOf(response);
      hint = { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
    };

    let token = active ? await (await options.session()).accessToken() : undefined;
    let response = await send(token);
    // A server that asks for a nonce again right after it was given one is not helped by a refresh.
    if (response.status === 401 && !(await nonceRefused(response)) && (token !== undefined || (await options.advertisesOAuth(response)))) {
      await noteChallenge(response);
      let retry = true;
      if (!active) {
        // The first sign that this server does OAuth: from now on its stored token (if any) goes with every request.
        active = true;
        token = await (await options.session()).accessToken();
        if (token !== undefined) {
          response = await send(token);
          retry = response.status === 401;
          if (retry) await noteChallenge(response);
        }
      }
      if (retry) {
        token = await (await options.session()).afterUnauthorized(token, hint);
        response = await send(token);
      }
    }
    // Ends when the server accepts, or the session refuses another step-up (it throws).
    while (token !== undefined && response.status === 403) {
      const challenge = await challengeOf(response);
      if (challenge.error !== 'insufficient_scope') break;
      await response.body?.cancel();
      if (challenge.resourceMetadataUrl) hint = { resourceMetadataUrl: challenge.resourceMetadataUrl };
      token = await (await options.session()).afterInsufficientScope(token, challenge.scope, hint);
      response = await send(token);
    }
    return response;
  };
  return { fetch: wrapped, usesOAuth: () => active };
}

/** A 401 whose challenge is Bearer or DPoP (RFC 9449 section 7.1): enough for a server configured for OAuth. */
export function bearerChallenge(response: Response): boolean {
  return /^\s*(bearer|dpop)\b/i.test(response.headers.get('www-authenticate') ?? '');
}

async function nonceRefused(response: Response): Promise<boolean> {
  if (!response.headers.get('dpop-nonce')) return false;
  const { isDpopNonceChallenge } = await import('./dpop-fetch.js');
  return isDpopNonceChallenge(response);
}

/**
 * For a server not configured for OAuth, a Bearer challenge alone could be a static API key
 * server: it must point to RFC 9728 protected resource metadata, in the header or at the
 * well-known URLs, that names an authorization server; or, as MCP 2025-03-26 has it, come from a
 * server whose origin publishes authorization server metadata (RFC 8414).
 */
export async function advertisesOAuth(response: Response, serverUrl: string): Promise<boolean> {
  const { discoverAuthorizationServerMetadata, discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } =
    await import('@modelcontextprotocol/client');
  if (extractWWWAuthenticateParams(response).resourceMetadataUrl) return true;
  try {
    const metadata = await discoverOAuthProtectedResourceMetadata(serverUrl);
    if ((metadata.authorization_servers?.length ?? 0) > 0) return true;
  } catch {
    // No protected resource metadata: perhaps a server of 2025-03-26.
  }
  if (!bearerChallenge(response)) return false;
  try {
    // Whether it publishes any: the login's discovery checks the issuer it names (metadataNamesIssuer).
    return (await discoverAuthorizationServerMetadata(new URL(serverUrl).origin, { fetchFn: policedFetch(), skipIssuerValidation: true })) !== undefined;
  } catch {
    return false;
  }
}
