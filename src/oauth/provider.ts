import { randomBytes } from 'node:crypto';
import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { AuthorizationServerMetadata, OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { checkResourceAllowed, resourceUrlFromServerUrl } from '@modelcontextprotocol/sdk/shared/auth-utils.js';
import { CliError } from '../errors.js';
import type { TokenManager } from '../tokens/manager.js';
import { deleteClient, readClient, sameIssuer, tokensFromResponse, writeClient, writeTokens, type SavedClient, type SavedTokens } from './records.js';
import type { OAuthTarget } from './target.js';
import { checkOAuthUrl, urlForMessage } from './url-policy.js';

export interface ProviderOptions {
  target: OAuthTarget;
  manager: TokenManager;
  redirectUrl: string;
  now: () => Date;
  /** Called with the authorization URL once it is built. */
  onAuthorizationUrl: (url: URL) => void | Promise<void>;
  /** Discovery already done from `oauth.authServerMetadataUrl`. */
  presetDiscovery?: OAuthDiscoveryState;
}

const ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint'] as const;

/** The issuer and every endpoint are https (or loopback) URLs: nothing else is contacted or opened. */
export function checkEndpoints(server: string, metadata: AuthorizationServerMetadata): void {
  checkOAuthUrl(metadata.issuer, `issuer of ${server}'s authorization server`);
  for (const field of ENDPOINTS) {
    const value = (metadata as Partial<Record<(typeof ENDPOINTS)[number], string>>)[field];
    if (value !== undefined) checkOAuthUrl(value, `${field} of ${server}'s authorization server`);
  }
}

/**
 * Checks what the SDK leaves to the caller: the metadata exists, names the server it came from,
 * sends the browser and the client only to https (or loopback) endpoints, and offers PKCE S256.
 */
export function checkAuthorizationServer(server: string, asUrl: string, metadata: AuthorizationServerMetadata | undefined): AuthorizationServerMetadata {
  if (!metadata) throw new CliError(`'${server}' does not advertise an OAuth authorization server (no metadata at ${urlForMessage(asUrl)})`);
  if (!sameIssuer(metadata.issuer, asUrl))
    throw new CliError(
      `the authorization server metadata fetched for ${urlForMessage(asUrl)} names another issuer (${urlForMessage(metadata.issuer)}); refusing it (RFC 8414 section 3.3)`,
    );
  checkEndpoints(server, metadata);
  if (!metadata.code_challenge_methods_supported?.includes('S256'))
    throw new CliError(`the authorization server ${metadata.issuer} does not advertise PKCE with S256; refusing to log in without it`);
  return metadata;
}

/**
 * The SDK's OAuthClientProvider, backed by the token store: the client registration and the
 * tokens go to the secure backend, the PKCE verifier and `state` stay in memory.
 * It is built for one login: `tokens()` is empty so that `auth()` always starts a new authorization.
 */
export class StoreOAuthProvider implements OAuthClientProvider {
  readonly expectedState = randomBytes(32).toString('base64url');
  private verifier: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;
  /** The resource indicator sent, kept with the tokens so that they go to that server only. */
  resource: string | undefined;
  saved: SavedTokens | undefined;
  /** How the client identified itself in this login, for the audit log. */
  clientKind: SavedClient['kind'] | undefined;
  /** The client this login presents: kept with the tokens, so that only it ever refreshes them. */
  private client: OAuthClientInformationMixed | undefined;
  /**
   * A registration made (or a pre-registered client used) by this login, stored only with its
   * tokens: a login abandoned or refused leaves the stored registration of an earlier login alone.
   */
  private pending: SavedClient | undefined;

  constructor(private readonly options: ProviderOptions) {
    this.discovery = options.presetDiscovery;
  }

  get redirectUrl(): string {
    return this.options.redirectUrl;
  }

  get clientMetadataUrl(): string | undefined {
    return this.options.target.oauth?.clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    const scopes = this.options.target.oauth?.scopes;
    return {
      client_name: 'mcp-cli',
      redirect_uris: [this.options.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...(scopes?.length ? { scope: scopes.join(' ') } : {}),
    };
  }

  /** The authorization server metadata found by discovery. */
  get metadata(): AuthorizationServerMetadata | undefined {
    return this.discovery?.authorizationServerMetadata;
  }

  state(): string {
    return this.expectedState;
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    const configured = this.options.target.oauth;
    if (configured?.clientId) {
      this.clientKind = 'configured';
      return (this.client = { client_id: configured.clientId, ...(configured.clientSecret ? { client_secret: configured.clientSecret } : {}) });
    }
    if (this.pending) return { ...this.pending.information, issuer: this.pending.issuer } as OAuthClientInformationMixed;
    // A pre-registered client that is no longer configured is not reused: the login registers anew.
    const saved = await readClient(this.options.manager, this.options.target.name);
    if (!saved || saved.kind === 'configured') return undefined;
    this.clientKind = saved.kind;
    this.client = saved.information;
    return { ...saved.information, issuer: saved.issuer } as OAuthClientInformationMixed;
  }

  async saveClientInformation(information: OAuthClientInformationMixed): Promise<void> {
    if (this.options.target.oauth?.clientId) return;
    const issuer = (information as { issuer?: string }).issuer;
    if (!issuer) throw new CliError('internal error: a client registration without its issuer');
    const kind = information.client_id === this.clientMetadataUrl ? 'metadata-document' : 'dcr';
    this.clientKind = kind;
    const { issuer: _stamp, ...unstamped } = information as OAuthClientInformationMixed & { issuer?: string };
    this.client = unstamped;
    this.pending = { issuer, kind, information: unstamped };
  }

  tokens(): undefined {
    return undefined;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    const issuer = tokens.issuer ?? this.discovery?.authorizationServerUrl;
    if (!issuer) throw new CliError('internal error: tokens without their issuer');
    this.saved = tokensFromResponse(tokens, issuer, this.resource, this.options.now(), this.client?.client_id);
    await writeTokens(this.options.manager, this.options.target.name, this.saved);
    // A pre-registered client is kept with the login too, so that its refreshes never depend on what the config says later.
    const client = this.clientKind === 'configured' && this.client ? { issuer, kind: 'configured' as const, information: this.client } : this.pending;
    if (client) await writeClient(this.options.manager, this.options.target.name, client);
    this.pending = undefined;
  }

  async redirectToAuthorization(url: URL): Promise<void> {
    await this.options.onAuthorizationUrl(url);
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new CliError('internal error: no PKCE verifier for this login');
    return this.verifier;
  }

  /** The SDK sends a resource only when the server publishes RFC 9728 metadata; we always send one. */
  async validateResourceURL(serverUrl: string | URL, advertised?: string): Promise<URL> {
    const canonical = resourceUrlFromServerUrl(serverUrl);
    if (advertised !== undefined && !checkResourceAllowed({ requestedResource: canonical, configuredResource: advertised }))
      throw new CliError(`the server's protected resource metadata names ${advertised}, which is not ${canonical.href}; refusing it`);
    const resource = advertised !== undefined ? new URL(advertised) : canonical;
    this.resource = resource.href;
    return resource;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    checkAuthorizationServer(this.options.target.name, state.authorizationServerUrl, state.authorizationServerMetadata);
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  /**
   * The SDK's answer to a refused client or grant. Only a stored registration that this login
   * presented is forgotten; the stored login itself stays until a new one replaces it (this login
   * never reads it, `tokens()` being empty), so a refused attempt costs the user nothing.
   */
  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    const { manager, target } = this.options;
    if (scope === 'all' || scope === 'client') {
      if (!this.pending && (this.clientKind === 'dcr' || this.clientKind === 'metadata-document'))
        await deleteClient(manager, target.name, 'refused by the authorization server during a login');
      this.pending = undefined;
      this.client = undefined;
    }
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = this.options.presetDiscovery;
  }
}
