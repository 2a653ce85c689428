import type { OAuthSession } from './session.js';

type Fetch = typeof fetch;

/**
 * A fetch for the MCP transport of one server: adds the bearer token (fresh), and after a 401
 * refreshes once (or logs in again) and retries once. Requests to any other origin never carry it.
 */
export function oauthFetch(session: OAuthSession, serverUrl: string, base: Fetch = fetch): Fetch {
  const origin = new URL(serverUrl).origin;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.origin !== origin) return base(input, init);
    const send = (token: string | undefined) => {
      const headers = new Headers(init?.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      return base(input, { ...init, headers });
    };
    const token = await session.accessToken();
    const response = await send(token);
    if (response.status !== 401) return response;
    if (token === undefined && !advertisesOAuth(response)) return response;
    await response.body?.cancel();
    const { extractWWWAuthenticateParams } = await import('@modelcontextprotocol/sdk/client/auth.js');
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(response);
    return send(await session.afterUnauthorized(token, { resourceMetadataUrl }));
  };
}

/** A 401 that points to RFC 9728 metadata, or any Bearer challenge, means the server does OAuth. */
function advertisesOAuth(response: Response): boolean {
  return /^\s*bearer\b/i.test(response.headers.get('www-authenticate') ?? '');
}
