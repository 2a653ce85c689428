import type { AuthorizationServerMetadata, OAuthProtectedResourceMetadata } from '@modelcontextprotocol/client';
import { checkResourceAllowed, resourceUrlFromServerUrl } from '@modelcontextprotocol/client';
import { CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import { extraMetadata, sameIssuer } from './records.js';
import type { OAuthTarget } from './target.js';
import { checkOAuthUrl, policedFetch, urlForMessage } from './url-policy.js';

/** What a login or a grant needs to know of a server's authorization server, all of it checked. */
export interface Discovery {
  /** The issuer exactly as its metadata names it: the value `iss` is compared with, and registrations are bound to. */
  issuer: string;
  metadata: AuthorizationServerMetadata;
  resourceMetadata?: OAuthProtectedResourceMetadata;
  /** The RFC 8707 resource indicator sent with every request; undefined with `"resource": false`. */
  resource?: string;
  /** The server publishes no OAuth metadata: the default endpoints on its origin are used (MCP 2025-03-26). */
  defaultEndpoints?: boolean;
}

const ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint', 'device_authorization_endpoint'] as const;

/** The issuer and every endpoint are https (or loopback) URLs: nothing else is contacted or opened. */
export function checkEndpoints(server: string, metadata: AuthorizationServerMetadata): void {
  checkOAuthUrl(metadata.issuer, `issuer of ${server}'s authorization server`);
  for (const field of ENDPOINTS) {
    const value = (metadata as Partial<Record<(typeof ENDPOINTS)[number], string>>)[field];
    if (value !== undefined) checkOAuthUrl(value, `${field} of ${server}'s authorization server`);
  }
}

/**
 * Whether metadata fetched for the issuer identifier `expected` may be used: its `issuer` must be
 * identical to it (RFC 8414 section 3.3, OpenID Connect Discovery section 4.3). The one spelling
 * difference allowed is the empty path of an origin, which a URL writes as "/" (RFC 3986 section
 * 6.2.3): `https://as.example` and `https://as.example/` are one identifier, `https://as.example/t`
 * and `https://as.example/t/` are two.
 */
export function metadataNamesIssuer(expected: string, claimed: string): boolean {
  if (expected === claimed) return true;
  const bare = (text: string) => {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    return url && url.pathname === '/' && !url.search && !url.hash && /^[a-z]+:\/\/[^/]+\/?$/i.test(text) ? url.origin : undefined;
  };
  const a = bare(expected);
  return a !== undefined && a === bare(claimed);
}

/**
 * Checks what the SDK leaves to the caller: the metadata exists, names the issuer it was fetched
 * for, and sends the browser and the client only to https (or loopback) endpoints.
 */
export function checkAuthorizationServer(server: string, asUrl: string, metadata: AuthorizationServerMetadata | undefined): AuthorizationServerMetadata {
  if (!metadata) throw new CliError(`'${server}' does not advertise an OAuth authorization server (no metadata at ${urlForMessage(asUrl)})`);
  if (!metadataNamesIssuer(asUrl, metadata.issuer))
    throw new CliError(
      `the authorization server metadata fetched for ${urlForMessage(asUrl)} names another issuer (${urlForMessage(metadata.issuer)}); refusing it (RFC 8414 section 3.3)`,
    );
  checkEndpoints(server, metadata);
  return metadata;
}

/** PKCE with S256, which an authorization code login cannot do without. */
export function requirePkce(metadata: AuthorizationServerMetadata): void {
  if (!metadata.code_challenge_methods_supported?.includes('S256'))
    throw new CliError(`the authorization server ${printable(metadata.issuer)} does not advertise PKCE with S256; refusing to log in without it`);
}

/**
 * The issuers a metadata document fetched from `url` may speak for: the one whose well-known
 * location `url` is (RFC 8414 section 3.1, or OpenID Connect discovery), if it is one.
 */
export function issuersOfMetadataUrl(url: URL): string[] {
  const path = url.pathname;
  const found: string[] = [];
  for (const marker of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    if (path.startsWith(marker)) found.push(`${url.origin}${path.slice(marker.length) || '/'}`);
    if (path.endsWith(marker)) found.push(`${url.origin}${path.slice(0, -marker.length) || '/'}`);
  }
  // Joined as text, a path could smuggle in another host ("...server@other.example"): keep only same-origin URLs.
  return found.filter((issuer) => URL.canParse(issuer) && new URL(issuer).origin === url.origin);
}

/** The authorization servers that the server's protected resource metadata names now; undefined when it publishes none. */
export async function authorizationServersNamed(target: OAuthTarget, resourceMetadataUrl: URL | undefined): Promise<string[] | undefined> {
  return (await resourceMetadataOf(target, resourceMetadataUrl))?.authorization_servers;
}

/**
 * MCP 2025-03-26, for a server without protected resource metadata and without authorization server
 * metadata at its origin: the server is its own authorization server, at the default endpoints
 * `/authorize`, `/token` and `/register` of its origin. That revision requires PKCE of everyone.
 */
export function defaultEndpoints(serverUrl: string): AuthorizationServerMetadata {
  const { origin } = new URL(serverUrl);
  return {
    issuer: origin,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${origin}/token`,
    registration_endpoint: `${origin}/register`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  };
}

/**
 * The metadata of the authorization server that issued a login, read again for a refresh; for a login
 * made at the default endpoints of a server that is its own authorization server (MCP 2025-03-26),
 * those endpoints while it still publishes none. Undefined when it has none (any more).
 */
export async function issuerMetadata(issuer: string, serverUrl: string | undefined): Promise<AuthorizationServerMetadata | undefined> {
  const { discoverAuthorizationServerMetadata } = await import('@modelcontextprotocol/client');
  // The caller checks the issuer, as every metadata document is (metadataNamesIssuer).
  const published = await discoverAuthorizationServerMetadata(issuer, { fetchFn: policedFetch(), skipIssuerValidation: true });
  if (published) return published;
  return serverUrl !== undefined && URL.canParse(serverUrl) && metadataNamesIssuer(new URL(serverUrl).origin, issuer) ? defaultEndpoints(serverUrl) : undefined;
}

/** The server's protected resource metadata (RFC 9728), if it publishes any. */
async function resourceMetadataOf(target: OAuthTarget, resourceMetadataUrl: URL | undefined): Promise<OAuthProtectedResourceMetadata | undefined> {
  const { discoverOAuthProtectedResourceMetadata } = await import('@modelcontextprotocol/client');
  try {
    return await discoverOAuthProtectedResourceMetadata(target.url, { resourceMetadataUrl }, policedFetch());
  } catch {
    return undefined;
  }
}

/**
 * Metadata from `oauth.authServerMetadataUrl`, accepted only for the issuer it may speak for: the
 * one whose well-known URL it is, or one that the MCP server names, published on that issuer's own
 * origin. A document elsewhere claiming a real issuer (to collect the code and the PKCE verifier at
 * its own token endpoint: a mix-up attack) is refused.
 */
async function presetMetadata(target: OAuthTarget, configured: string, resourceMetadata: OAuthProtectedResourceMetadata | undefined) {
  const url = checkOAuthUrl(configured, `oauth.authServerMetadataUrl of '${target.name}'`);
  const response = await policedFetch()(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new CliError(`could not read the authorization server metadata at ${urlForMessage(url)} (HTTP ${response.status})`);
  const { OAuthMetadataSchema } = await import('@modelcontextprotocol/core');
  const parsed = OAuthMetadataSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new CliError(`the authorization server metadata at ${urlForMessage(url)} is invalid: ${describeSchemaIssue(parsed.error.issues)}`);
  const metadata = parsed.data;
  checkIssuerForm(metadata.issuer);
  const own = issuersOfMetadataUrl(url).some((issuer) => sameIssuer(issuer, metadata.issuer));
  const advertised = resourceMetadata?.authorization_servers ?? [];
  const named = advertised.some((issuer) => sameIssuer(issuer, metadata.issuer));
  const where = `the authorization server metadata at ${urlForMessage(url)} names the issuer ${urlForMessage(metadata.issuer)}`;
  const refusal =
    advertised.length > 0 && !named
      ? `${where}, which '${target.name}' does not name as its authorization server`
      : named && !own && new URL(metadata.issuer).origin !== url.origin
        ? `${where}, but is published neither at that issuer's well-known URL nor on its origin`
        : advertised.length === 0 && !own
          ? `${where}, which that URL does not belong to, and '${target.name}' names no authorization server that would vouch for it`
          : undefined;
  if (refusal)
    throw new CliError(
      `${refusal}; refusing it (RFC 8414 section 3.3: in a mix-up attack the code would go to its token endpoint)`,
      1,
      "point oauth.authServerMetadataUrl at the issuer's own well-known URL, or leave it out so that the server names its authorization server",
    );
  return metadata;
}

/** RFC 8414 section 2: an issuer is a URL without query, fragment or user information. */
function checkIssuerForm(issuer: string): void {
  const parsed = URL.canParse(issuer) ? new URL(issuer) : undefined;
  if (!parsed || parsed.search || parsed.hash || parsed.username || parsed.password)
    throw new CliError(`the authorization server names an issuer that is not a plain URL (${urlForMessage(issuer)}); refusing it (RFC 8414 section 2)`);
}

/** Zod's first issue in words: the field and what was wrong, never a raw JSON dump. */
export function describeSchemaIssue(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return 'it does not have the expected shape';
  const field = issue.path.map(String).join('.') || 'the document';
  return printable(`${field}: ${issue.message}`);
}

/**
 * The resource indicator for the server (RFC 8707): what its protected resource metadata names,
 * verbatim, if that covers the server's URL; else the server's URL without a fragment (and without
 * the lone "/" of an empty path, the form the spec prefers).
 */
export function resourceIndicator(serverUrl: string, advertised: string | undefined): string {
  const canonical = resourceUrlFromServerUrl(serverUrl);
  if (advertised === undefined) return canonical.pathname === '/' && !canonical.search ? canonical.origin : canonical.href;
  if (!URL.canParse(advertised) || !checkResourceAllowed({ requestedResource: canonical, configuredResource: advertised }))
    throw new CliError(`the server's protected resource metadata names ${urlForMessage(advertised)}, which is not ${canonical.href}; refusing it`);
  return advertised;
}

/** A pre-registered client pinned to its authorization server (`oauth.issuer`): its credentials go there only. */
function checkPinnedIssuer(target: OAuthTarget, issuer: string): void {
  const pinned = target.oauth?.issuer;
  if (pinned === undefined || metadataNamesIssuer(pinned, issuer)) return;
  throw new CliError(
    `'${target.name}' names the authorization server ${urlForMessage(issuer)}, but oauth.issuer says its client is registered with ${urlForMessage(pinned)}; nothing was sent to it`,
    1,
    'if the server really moved to another authorization server, register the client there and correct oauth.issuer',
  );
}

/**
 * Finds and checks a server's authorization server: the protected resource metadata (RFC 9728,
 * from the 401's `resource_metadata` or the well-known URLs) names it, and its metadata is read
 * from the RFC 8414 and OpenID Connect well-known URLs in the order the MCP spec gives (the SDK's
 * discovery), or from `oauth.authServerMetadataUrl`. The metadata must name the issuer it was
 * fetched for. A server without protected resource metadata is its own authorization server (MCP
 * 2025-03-26): the metadata at its origin, else the default endpoints there.
 */
export async function discover(target: OAuthTarget, resourceMetadataUrl: URL | undefined): Promise<Discovery> {
  checkOAuthUrl(target.url, `URL of '${target.name}'`);
  const { discoverOAuthServerInfo } = await import('@modelcontextprotocol/client');
  let issuer: string;
  let metadata: AuthorizationServerMetadata | undefined;
  let resourceMetadata: OAuthProtectedResourceMetadata | undefined;
  const configured = target.oauth?.authServerMetadataUrl;
  if (configured !== undefined) {
    resourceMetadata = await resourceMetadataOf(target, resourceMetadataUrl);
    metadata = await presetMetadata(target, configured, resourceMetadata);
    issuer = metadata.issuer;
  } else {
    // The issuer is checked below (metadataNamesIssuer: RFC 8414 section 3.3, an origin's "/" allowed), with the project's message.
    const info = await discoverOAuthServerInfo(target.url, { resourceMetadataUrl, fetchFn: policedFetch(), skipIssuerMetadataValidation: true });
    ({ authorizationServerUrl: issuer, authorizationServerMetadata: metadata, resourceMetadata } = info);
  }
  const fallback = configured === undefined && !resourceMetadata && !metadata;
  if (fallback) ({ issuer, metadata } = { issuer: new URL(target.url).origin, metadata: defaultEndpoints(target.url) });
  const checked = checkAuthorizationServer(target.name, issuer, metadata);
  checkPinnedIssuer(target, checked.issuer);
  const resource = target.oauth?.resource === false ? undefined : resourceIndicator(target.url, resourceMetadata?.resource);
  return {
    issuer: checked.issuer,
    metadata: checked,
    ...(resourceMetadata ? { resourceMetadata } : {}),
    ...(resource !== undefined ? { resource } : {}),
    ...(fallback ? { defaultEndpoints: true } : {}),
  };
}

/** The device authorization endpoint (RFC 8628), when the authorization server offers the grant. */
export function deviceEndpoint(metadata: AuthorizationServerMetadata): string | undefined {
  return extraMetadata(metadata).device_authorization_endpoint;
}
