import type { AuthorizationServerMetadata } from '@modelcontextprotocol/client';
import { CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import { scrub } from './errors.js';
import { checkEndpoints, metadataNamesIssuer } from './discovery.js';
import { extraMetadata, type SavedTokens } from './records.js';
import { authenticateClient } from './token-endpoint.js';
import { policedFetch, urlForMessage } from './url-policy.js';

export type RevocationResult = 'revoked' | 'unsupported';

interface ClientCredentials {
  client_id: string;
  client_secret?: string;
}

/**
 * Revokes the refresh token (which ends the grant) and the access token at the issuer, by RFC 7009,
 * presenting the client as the endpoint accepts it; `assertion` signs one for a client that
 * authenticates with a private key (private_key_jwt).
 */
export async function revokeTokens(
  tokens: SavedTokens,
  client: ClientCredentials,
  assertion?: (metadata: AuthorizationServerMetadata) => string,
): Promise<RevocationResult> {
  const { discoverAuthorizationServerMetadata } = await import('@modelcontextprotocol/client');
  const fetchFn = policedFetch();
  // Checked just below, as every metadata document is (metadataNamesIssuer).
  const metadata = await discoverAuthorizationServerMetadata(tokens.issuer, { fetchFn, skipIssuerValidation: true });
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
  const targets: [string, string][] = [];
  if (tokens.refreshToken) targets.push([tokens.refreshToken, 'refresh_token']);
  targets.push([tokens.accessToken, 'access_token']);
  for (const [token, hint] of targets) {
    const body = new URLSearchParams({ token, token_type_hint: hint });
    const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
    await authenticateClient(client, extra?.revocation_endpoint_auth_methods_supported, headers, body, metadata && assertion?.(metadata));
    // No redirect is followed: it could take the tokens and the client secret elsewhere.
    const response = await fetchFn(endpoint, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    if (!response.ok) {
      const secrets = [tokens.accessToken, tokens.refreshToken, client.client_secret, body.get('client_assertion') ?? undefined];
      const text = printable(scrub(await response.text(), secrets)).slice(0, 300);
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
