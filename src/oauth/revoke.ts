import { CliError } from '../errors.js';
import { scrub } from './errors.js';
import { checkEndpoints, metadataNamesIssuer } from './discovery.js';
import { extraMetadata, type SavedTokens } from './records.js';
import { policedFetch, urlForMessage } from './url-policy.js';

export type RevocationResult = 'revoked' | 'unsupported';

interface ClientCredentials {
  client_id: string;
  client_secret?: string;
}

/** Revokes the refresh token (which ends the grant) and the access token at the issuer, by RFC 7009. */
export async function revokeTokens(tokens: SavedTokens, client: ClientCredentials): Promise<RevocationResult> {
  const { discoverAuthorizationServerMetadata } = await import('@modelcontextprotocol/sdk/client/auth.js');
  const fetchFn = policedFetch();
  const metadata = await discoverAuthorizationServerMetadata(tokens.issuer, { fetchFn });
  if (metadata && !metadataNamesIssuer(tokens.issuer, metadata.issuer))
    throw new CliError(
      `the metadata of ${urlForMessage(tokens.issuer)} names another issuer; nothing was revoked`,
      1,
      'pass --local-only to delete the tokens here anyway',
    );
  if (metadata) checkEndpoints('the login', metadata);
  const extra = metadata ? extraMetadata(metadata) : undefined;
  const endpoint = extra?.revocation_endpoint;
  if (!endpoint) return 'unsupported';
  const basic = client.client_secret !== undefined && extra?.revocation_endpoint_auth_methods_supported?.includes('client_secret_basic');
  const targets: [string, string][] = [];
  if (tokens.refreshToken) targets.push([tokens.refreshToken, 'refresh_token']);
  targets.push([tokens.accessToken, 'access_token']);
  for (const [token, hint] of targets) {
    const body = new URLSearchParams({ token, token_type_hint: hint });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (basic)
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret!)}`).toString('base64')}`;
    else {
      body.set('client_id', client.client_id);
      if (client.client_secret !== undefined) body.set('client_secret', client.client_secret);
    }
    // No redirect is followed: it could take the tokens and the client secret elsewhere.
    const response = await fetchFn(endpoint, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    if (!response.ok) {
      const text = scrub((await response.text()).slice(0, 300), [tokens.accessToken, tokens.refreshToken, client.client_secret]);
      throw new CliError(
        `the authorization server refused to revoke the ${hint.replace('_', ' ')} (HTTP ${response.status}: ${text})`,
        1,
        'run logout again, or pass --local-only to delete the tokens here anyway',
      );
    }
    await response.body?.cancel();
  }
  return 'revoked';
}
