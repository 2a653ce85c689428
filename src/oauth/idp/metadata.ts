import { CliError } from '../../errors.js';
import { metadataNamesIssuer } from '../discovery.js';
import { checkOAuthUrl, policedFetch, urlForMessage } from '../url-policy.js';

/** What mcp-cli uses of an OpenID provider's metadata (OpenID Connect Discovery 1.0, RFC 8414). */
export interface IdpMetadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint: string;
  revocation_endpoint?: string;
  grant_types_supported?: string[];
  scopes_supported?: string[];
  code_challenge_methods_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  revocation_endpoint_auth_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
}

/** RFC 8693: the grant that exchanges the ID token for an identity assertion grant. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

const ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'revocation_endpoint'] as const;
const LISTS = [
  'grant_types_supported',
  'scopes_supported',
  'code_challenge_methods_supported',
  'token_endpoint_auth_methods_supported',
  'revocation_endpoint_auth_methods_supported',
] as const;

/** Where the metadata of an issuer is published: OpenID Connect Discovery first (an identity provider is an OpenID provider), then RFC 8414. */
function metadataUrls(issuer: string): URL[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  return [new URL(`${url.origin}${path}/.well-known/openid-configuration`), new URL(`${url.origin}/.well-known/oauth-authorization-server${path}`)];
}

/**
 * The identity provider's metadata, from the well-known URLs of the configured issuer only: it must
 * name that very issuer, and every endpoint must be https (or loopback). Only the fields mcp-cli uses
 * are read, so a provider that publishes the minimum (issuer and token endpoint) is enough.
 */
export async function idpMetadata(issuer: string): Promise<IdpMetadata> {
  checkOAuthUrl(issuer, 'issuer of your identity provider (idp.issuer)');
  const fetchFn = policedFetch();
  let statuses: string[] = [];
  for (const url of metadataUrls(issuer)) {
    let response: Response;
    try {
      response = await fetchFn(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      throw new CliError(`could not reach your identity provider at ${urlForMessage(url)}: ${(error as Error).message}`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      statuses = [...statuses, `${urlForMessage(url)}: HTTP ${response.status}`];
      continue;
    }
    return checkMetadata(await response.json().catch(() => undefined), issuer, url);
  }
  throw new CliError(`your identity provider ${urlForMessage(issuer)} publishes no metadata (${statuses.join(', ')})`, 1, 'check idp.issuer in your config');
}

function checkMetadata(data: unknown, issuer: string, url: URL): IdpMetadata {
  const record = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  const where = `the metadata at ${urlForMessage(url)}`;
  if (!record || typeof record.issuer !== 'string' || typeof record.token_endpoint !== 'string')
    throw new CliError(`${where} is not OpenID provider metadata (it needs "issuer" and "token_endpoint")`);
  if (!metadataNamesIssuer(issuer, record.issuer))
    throw new CliError(
      `${where} names the issuer ${urlForMessage(record.issuer)}, not ${urlForMessage(issuer)}; refusing it (OpenID Connect Discovery section 4.3)`,
    );
  const metadata: IdpMetadata = { issuer: record.issuer, token_endpoint: record.token_endpoint };
  for (const field of ENDPOINTS) {
    const value = record[field];
    if (typeof value === 'string') metadata[field] = checkOAuthUrl(value, `${field} of your identity provider`).href;
  }
  for (const field of LISTS) {
    const value = record[field];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) metadata[field] = value;
  }
  if (record.authorization_response_iss_parameter_supported === true) metadata.authorization_response_iss_parameter_supported = true;
  return metadata;
}
