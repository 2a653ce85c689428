import type { OAuthClientInformationMixed, OAuthClientMetadata } from '@modelcontextprotocol/client';
import { CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import type { TokenManager } from '../tokens/manager.js';
import { deviceEndpoint, type Discovery } from './discovery.js';
import { requireIssuerForCredentials } from './issuer-pin.js';
import { readClient, sameIssuer, type SavedClient } from './records.js';
import { scopesHeld } from './scopes.js';
import { loginName, type OAuthTarget } from './target.js';
import { policedFetch, urlForMessage } from './url-policy.js';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * mcp-cli's own client ID metadata document: docs/client-metadata.json of the repository, published by
 * its GitHub Pages at this URL, which is its client ID (docs/oauth.md).
 */
export const DEFAULT_CLIENT_METADATA_URL = 'https://mcp-cli.github.io/mcp-cli/client-metadata.json';

/** The client ID metadata document a login may present, and the setting that chose it; undefined for none (`false`). */
export function clientMetadataDocument(target: OAuthTarget): { url: string; setting: string } | undefined {
  const own = target.oauth?.clientMetadataUrl;
  const shared = target.defaults?.clientMetadataUrl;
  const [url, setting] =
    own !== undefined
      ? [own, `oauth.clientMetadataUrl of '${target.name}'`]
      : shared !== undefined
        ? [shared, 'the top-level oauth.clientMetadataUrl']
        : [DEFAULT_CLIENT_METADATA_URL, "mcp-cli's client ID metadata document"];
  return url === false ? undefined : { url, setting };
}

/**
 * Whether a URL may be a client ID (OAuth Client ID Metadata Document, section 3): https, a path, no
 * fragment, no user information, no `.` or `..` segment (checked in the text: parsing removes them).
 */
export function isClientIdUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  const segments = text
    .replace(/^[^:]*:\/\/[^/?#]*/, '')
    .split(/[?#]/)[0]!
    .split('/');
  return (
    url.protocol === 'https:' && url.pathname !== '/' && !text.includes('#') && !url.username && !url.password && !segments.some((s) => s === '.' || s === '..')
  );
}

/** The client a login presents, and whether the login stores it with its tokens. */
export interface ChosenClient {
  kind: SavedClient['kind'];
  information: OAuthClientInformationMixed;
  /**
   * Whether the login stores it with its tokens: a registration made by this login (a login abandoned
   * or refused leaves the stored one of an earlier login alone), and a configured client or metadata
   * document, so that refreshes never depend on what the config says later.
   */
  store: boolean;
}

export interface ClientNeeds {
  /** The redirect URI a new registration names. */
  redirectUri: string;
  /** The login uses the device grant: a stored registration that lacks it is replaced. */
  device: boolean;
  /** The scopes a new registration asks for. */
  scope?: string;
}

/** A stored registration that says which grants it has, and lacks this one. */
function lacksGrant(information: OAuthClientInformationMixed, grant: string): boolean {
  const grants = (information as { grant_types?: string[] }).grant_types;
  return grants !== undefined && !grants.includes(grant);
}

/** A stored registration limited to scopes (RFC 7591 section 2) that do not cover these, as after a step-up. */
function lacksScope(information: OAuthClientInformationMixed, wanted: string | undefined): boolean {
  const registered = (information as { scope?: string }).scope;
  return registered !== undefined && !scopesHeld(registered, wanted);
}

/**
 * The client identity of a login, in the MCP spec's order: the pre-registered client of the
 * server's `oauth` block; a client ID metadata document where the authorization server advertises
 * `client_id_metadata_document_supported`; a stored dynamic registration made with this issuer
 * (unless it was registered for fewer scopes than asked now); a new dynamic registration (RFC 7591,
 * `application_type: "native"`); else an error asking for a pre-registered client. Registrations are bound to their issuer: a server whose authorization
 * server changed gets a new one, and a pre-registered client is never sent to another issuer.
 */
export async function chooseClient(target: OAuthTarget, manager: TokenManager, discovery: Discovery, needs: ClientNeeds): Promise<ChosenClient> {
  const { issuer, metadata } = discovery;
  const oauth = target.oauth;
  const saved = await readClient(manager, loginName(target));
  if (oauth?.clientId !== undefined) {
    if (saved?.kind === 'configured' && saved.information.client_id === oauth.clientId && !sameIssuer(saved.issuer, issuer) && oauth.issuer === undefined)
      throw new CliError(
        `the client '${oauth.clientId}' of '${target.name}' was registered with ${urlForMessage(saved.issuer)}, and '${target.name}' now names the authorization server ${urlForMessage(issuer)}; a pre-registered client belongs to one authorization server, so nothing was sent to the new one`,
        1,
        `if the server really moved, register a client there, set it in oauth.clientId (or confirm with oauth.issuer), and run mcp-cli auth logout ${target.name} --forget-client`,
      );
    requireIssuerForCredentials(target, issuer);
    const information = { client_id: oauth.clientId, ...(oauth.clientSecret !== undefined ? { client_secret: oauth.clientSecret } : {}) };
    return { kind: 'configured', information, store: true };
  }
  const document = clientMetadataDocument(target);
  if (document && metadata.client_id_metadata_document_supported === true) {
    if (!isClientIdUrl(document.url))
      throw new CliError(
        `${document.setting} must be an https URL with a path, without a fragment, user information or dot segments (it is the client ID): ${urlForMessage(document.url)}`,
      );
    return { kind: 'metadata-document', information: { client_id: document.url }, store: true };
  }
  if (
    saved?.kind === 'dcr' &&
    sameIssuer(saved.issuer, issuer) &&
    !(needs.device && lacksGrant(saved.information, DEVICE_GRANT)) &&
    !lacksScope(saved.information, needs.scope)
  )
    return { kind: 'dcr', information: saved.information, store: false };
  if (metadata.registration_endpoint === undefined) {
    const documents = document
      ? ', and it does not accept client ID metadata documents'
      : ' (and client ID metadata documents are turned off: oauth.clientMetadataUrl is false)';
    throw new CliError(
      `the authorization server ${urlForMessage(issuer)} of '${target.name}' offers no dynamic client registration${documents}: it needs a client registered in advance`,
      1,
      `register a client for mcp-cli with it (redirect URI http://127.0.0.1/callback, any port), then set oauth.clientId (and oauth.clientSecret, if it has one) for '${target.name}' in server_config.json`,
    );
  }
  const { registerClient } = await import('@modelcontextprotocol/client');
  const clientMetadata: OAuthClientMetadata & { application_type: 'native' } = {
    client_name: 'mcp-cli',
    redirect_uris: [needs.redirectUri],
    grant_types: ['authorization_code', 'refresh_token', ...(deviceEndpoint(metadata) !== undefined ? [DEVICE_GRANT] : [])],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    // A command-line tool is a native application (OpenID Connect Registration; MCP 2026-07-28).
    application_type: 'native',
  };
  try {
    const information = await registerClient(issuer, { metadata, clientMetadata, scope: needs.scope, fetchFn: policedFetch() });
    return { kind: 'dcr', information, store: true };
  } catch (error) {
    const refusal = await registrationRefusal(error);
    if (refusal === undefined) throw error;
    throw new CliError(
      `the authorization server ${urlForMessage(issuer)} refused to register mcp-cli as a client (${printable(refusal.code)}${refusal.description ? `: ${printable(refusal.description)}` : ''})`,
      1,
      `register a client with it in advance and set oauth.clientId for '${target.name}' in server_config.json`,
    );
  }
}

/** The RFC 7591 error of a refused registration: from the error response the SDK hands back, or an OAuth error it raised. */
async function registrationRefusal(error: unknown): Promise<{ code: string; description?: string } | undefined> {
  const { OAuthError, RegistrationRejectedError } = await import('@modelcontextprotocol/client');
  if (error instanceof OAuthError) return { code: error.code, ...(error.message ? { description: error.message } : {}) };
  if (!(error instanceof RegistrationRejectedError)) return undefined;
  const { OAuthErrorResponseSchema } = await import('@modelcontextprotocol/core');
  let body: unknown;
  try {
    body = JSON.parse(error.body);
  } catch {
    body = undefined;
  }
  const parsed = OAuthErrorResponseSchema.safeParse(body);
  if (!parsed.success) return { code: `HTTP ${error.status}` };
  return { code: parsed.data.error, ...(parsed.data.error_description ? { description: parsed.data.error_description } : {}) };
}
