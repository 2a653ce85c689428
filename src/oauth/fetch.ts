import type { OAuthSession } from './session.js';

type Fetch = typeof fetch;

export interface OAuthFetchOptions {
  /** The session, created on first use: a server that never asks for OAuth never opens the token store. */
  session: () => Promise<OAuthSession>;
  /** Send a stored token from the first request (a server configured for OAuth); else only once a 401 advertises OAuth. */
  upFront: boolean;
  /** Whether a 401 that came without a token means the server does OAuth. */
  advertisesOAuth: (response: Response) => Promise<boolean>;
}

export interface OAuthFetch {
  fetch: Fetch;
  /** Whether OAuth is in play for this server: configured, or advertised by a 401. */
  usesOAuth(): boolean;
}

/** A 403 whose challenge is `insufficient_scope` (RFC 6750 section 3.1): the scope it asks for, and where the resource metadata is. */
async function insufficientScope(response: Response): Promise<{ scope?: string; resourceMetadataUrl?: URL } | undefined> {
  if (response.status !== 403) return undefined;
  const { extractWWWAuthenticateParams } = await import('@modelcontextprotocol/client');
  const { error, scope, resourceMetadataUrl } = extractWWWAuthenticateParams(response);
  return error === 'insufficient_scope' ? { ...(scope ? { scope } : {}), ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}) } : undefined;
}

/**
 * A fetch for the MCP transport of one server: adds the bearer token (fresh), and after a 401
 * refreshes once (or logs in again) and retries; after a 403 `insufficient_scope`, authorizes once
 * more for the scopes asked (step-up) and retries. Requests to any other origin never carry it.
 */
export function oauthFetch(serverUrl: string, options: OAuthFetchOptions, base: Fetch = fetch): OAuthFetch {
  const origin = new URL(serverUrl).origin;
  let active = options.upFront;
  let hint: { resourceMetadataUrl?: URL } = {};
  const wrapped: Fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.origin !== origin) return base(input, init);
    const send = (token: string | undefined) => {
      const headers = new Headers(init?.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      return base(input, { ...init, headers });
    };
    const noteChallenge = async (response: Response) => {
      await response.body?.cancel();
      const { extractWWWAuthenticateParams } = await import('@modelcontextprotocol/client');
      const { resourceMetadataUrl } = extractWWWAuthenticateParams(response);
      if (resourceMetadataUrl) hint = { resourceMetadataUrl };
    };

    let token = active ? await (await options.session()).accessToken() : undefined;
    let response = await send(token);
    if (response.status === 401 && (token !== undefined || (await options.advertisesOAuth(response)))) {
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
    for (let retried = false; token !== undefined; retried = true) {
      const challenge = await insufficientScope(response);
      if (!challenge) break;
      await response.body?.cancel();
      if (challenge.resourceMetadataUrl) hint = { resourceMetadataUrl: challenge.resourceMetadataUrl };
      // Throws the second time round: one step-up per request.
      token = await (await options.session()).afterInsufficientScope(token, challenge.scope, hint, retried);
      response = await send(token);
    }
    return response;
  };
  return { fetch: wrapped, usesOAuth: () => active };
}

/** A 401 whose challenge is Bearer: enough for a server configured for OAuth. */
export function bearerChallenge(response: Response): boolean {
  return /^\s*bearer\b/i.test(response.headers.get('www-authenticate') ?? '');
}

/**
 * For a server not configured for OAuth, a Bearer challenge alone could be a static API key
 * server: it must point to RFC 9728 protected resource metadata, in the header or at the
 * well-known URLs, that names an authorization server.
 */
export async function advertisesOAuth(response: Response, serverUrl: string): Promise<boolean> {
  const { discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } = await import('@modelcontextprotocol/client');
  if (extractWWWAuthenticateParams(response).resourceMetadataUrl) return true;
  try {
    const metadata = await discoverOAuthProtectedResourceMetadata(serverUrl);
    return (metadata.authorization_servers?.length ?? 0) > 0;
  } catch {
    return false;
  }
}
