import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/client';
import type { TokenManager } from '../tokens/manager.js';
import { checkedTokenType, type DpopAlg, type DpopBinding } from './dpop.js';
import { OAUTH_CLIENTS_NAMESPACE as CLIENTS_NAMESPACE, OAUTH_TOKENS_NAMESPACE as TOKENS_NAMESPACE, type StoredToken } from '../tokens/model.js';

export { OAUTH_TOKENS_NAMESPACE as TOKENS_NAMESPACE, OAUTH_CLIENTS_NAMESPACE as CLIENTS_NAMESPACE } from '../tokens/model.js';

/**
 * How a login obtained its tokens: a user in a browser, a user with a device code (RFC 8628), the client
 * on its own behalf, a workload's JWT (RFC 7523 jwt-bearer), or an identity assertion grant from the
 * user's enterprise identity provider (ID-JAG, presented with jwt-bearer).
 */
export type OAuthGrant = 'authorization_code' | 'device_code' | 'client_credentials' | 'jwt_bearer' | 'id_jag';

const GRANTS: readonly OAuthGrant[] = ['authorization_code', 'device_code', 'client_credentials', 'jwt_bearer', 'id_jag'];

/** The grants that renew themselves with a new grant (no refresh token, no person): a new one replaces expired tokens. */
export function isMachineGrant(grant: OAuthGrant): boolean {
  return grant === 'client_credentials' || grant === 'jwt_bearer' || grant === 'id_jag';
}

/** What the store keeps for one server's login. Secrets: accessToken, refreshToken, the DPoP private key. */
export interface SavedTokens {
  accessToken: string;
  refreshToken?: string;
  /** `DPoP` for tokens bound to the login's key (RFC 9449), else what the server said (Bearer). */
  tokenType: string;
  /** The key the login's token requests were signed with: its tokens (and a public client's refresh token) are bound to it. */
  dpop?: DpopBinding;
  /** The scopes granted: the token response's `scope`, else the scopes requested (RFC 6749 section 5.1). */
  scope?: string;
  /** The authorization server that issued them; a refresh token is only ever sent back there. */
  issuer: string;
  /** The resource indicator (RFC 8707) they were issued for; absent when none was sent (`"resource": false`). */
  resource?: string;
  /** The server they were obtained for, when no resource indicator binds them: they go to that server only. */
  server?: string;
  issuedAt: string;
  expiresAt?: string;
  /** The client the login was made with: refreshes and revocation use that client and no other. */
  clientId?: string;
  grant: OAuthGrant;
  /** The named account this login is (`--account`); absent for the server's default login. */
  account?: string;
  /** When a server last asked for more scopes (403 insufficient_scope) and a new authorization got them, and which. */
  stepUpAt?: string;
  stepUpScope?: string;
  /** For `id_jag`: the identity provider whose login the tokens ride on; `auth logout --idp` ends them with it. */
  idpIssuer?: string;
}

/** A client registration (pre-registered, metadata document, or RFC 7591), bound to one issuer. */
export interface SavedClient {
  issuer: string;
  /** `configured`: the pre-registered client of the server's `oauth` block, as the login used it. */
  kind: 'dcr' | 'metadata-document' | 'configured';
  information: OAuthClientInformationMixed;
}

export interface TokenContext {
  issuer: string;
  resource: string | undefined;
  /** The server's URL, kept when no resource indicator was sent. */
  server: string;
  /** The server's name in the config, for messages. */
  name?: string;
  now: Date;
  clientId: string | undefined;
  grant: OAuthGrant;
  /** The scopes asked for: the granted ones when the response does not say (RFC 6749 section 5.1). */
  requestedScope?: string;
  /** The tokens a refresh replaces: their refresh token, scopes and step-up stay unless the response replaces them. */
  previous?: SavedTokens;
  /** This authorization was a step-up. */
  stepUp?: boolean;
  /** The key the token request was signed with (DPoP). */
  dpop?: DpopBinding;
  /** Only DPoP-bound tokens will do (`oauth.dpop: true`): any other is refused, not stored. */
  dpopRequired?: boolean;
  /** The named account the login is for (a refresh keeps the previous tokens' one). */
  account?: string;
}

export function tokensFromResponse(tokens: OAuthTokens, context: TokenContext): SavedTokens {
  const { now, previous } = context;
  const scope = tokens.scope ?? context.requestedScope ?? previous?.scope;
  const stepUp = context.stepUp ? { stepUpAt: now.toISOString(), stepUpScope: scope } : { stepUpAt: previous?.stepUpAt, stepUpScope: previous?.stepUpScope };
  const saved: SavedTokens = {
    ...(context.clientId !== undefined ? { clientId: context.clientId } : {}),
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    tokenType: checkedTokenType(tokens.token_type, {
      server: context.name ?? context.server,
      issuer: context.issuer,
      bound: context.dpop !== undefined,
      required: context.dpopRequired === true,
    }),
    ...(context.dpop ? { dpop: context.dpop } : {}),
    scope: scope || undefined,
    issuer: context.issuer,
    resource: context.resource,
    ...(context.resource === undefined ? { server: context.server } : {}),
    issuedAt: now.toISOString(),
    expiresAt: tokens.expires_in !== undefined ? new Date(now.getTime() + tokens.expires_in * 1000).toISOString() : undefined,
    grant: context.grant,
  };
  const account = context.account ?? previous?.account;
  if (account !== undefined) saved.account = account;
  if (stepUp.stepUpAt) Object.assign(saved, stepUp);
  return saved;
}

/** `server`: the login's stored name (see loginName). */
export async function readTokens(manager: TokenManager, server: string): Promise<SavedTokens | undefined> {
  const stored = await manager.read({ namespace: TOKENS_NAMESPACE, name: server }, 'oauth');
  return stored ? savedTokensOf(stored) : undefined;
}

export function savedTokensOf(stored: StoredToken): SavedTokens | undefined {
  const { secret, metadata } = stored;
  if (metadata.type !== 'oauth' || !secret.accessToken || !metadata.details.issuer) return undefined;
  return {
    accessToken: secret.accessToken,
    refreshToken: secret.refreshToken || undefined,
    tokenType: metadata.details.tokenType ?? 'Bearer',
    scope: metadata.details.scope,
    issuer: metadata.details.issuer,
    resource: metadata.details.resource,
    ...(metadata.details.server !== undefined ? { server: metadata.details.server } : {}),
    issuedAt: metadata.details.issuedAt ?? metadata.updatedAt,
    expiresAt: metadata.expiresAt,
    ...(metadata.details.clientId !== undefined ? { clientId: metadata.details.clientId } : {}),
    // Logins made before the grant was recorded were all authorization code logins.
    grant: grantOf(metadata.details.grant),
    ...(metadata.details.account !== undefined ? { account: metadata.details.account } : {}),
    ...(metadata.details.stepUpAt !== undefined ? { stepUpAt: metadata.details.stepUpAt, stepUpScope: metadata.details.stepUpScope } : {}),
    ...(secret.dpopKey ? { dpop: { key: secret.dpopKey, alg: metadata.details.dpopAlg as DpopAlg, jkt: metadata.details.dpopJkt ?? '' } } : {}),
    ...(metadata.details.idpIssuer !== undefined ? { idpIssuer: metadata.details.idpIssuer } : {}),
  };
}

export async function writeTokens(manager: TokenManager, server: string, tokens: SavedTokens): Promise<void> {
  const details: Record<string, string> = { tokenType: tokens.tokenType, issuer: tokens.issuer, issuedAt: tokens.issuedAt };
  if (tokens.scope) details.scope = tokens.scope;
  if (tokens.resource) details.resource = tokens.resource;
  if (tokens.server) details.server = tokens.server;
  if (tokens.clientId) details.clientId = tokens.clientId;
  details.grant = tokens.grant;
  if (tokens.account !== undefined) details.account = tokens.account;
  if (tokens.stepUpAt) details.stepUpAt = tokens.stepUpAt;
  if (tokens.stepUpScope) details.stepUpScope = tokens.stepUpScope;
  if (tokens.dpop) Object.assign(details, { dpopAlg: tokens.dpop.alg, dpopJkt: tokens.dpop.jkt });
  if (tokens.idpIssuer) details.idpIssuer = tokens.idpIssuer;
  await manager.set({
    name: server,
    type: 'oauth',
    namespace: TOKENS_NAMESPACE,
    secret: {
      accessToken: tokens.accessToken,
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      ...(tokens.dpop ? { dpopKey: tokens.dpop.key } : {}),
    },
    expiresAt: tokens.expiresAt ? new Date(tokens.expiresAt) : undefined,
    details,
  });
}

function grantOf(recorded: string | undefined): OAuthGrant {
  return GRANTS.find((grant) => grant === recorded) ?? 'authorization_code';
}

/** Deletes a server's login; the audit log records why. */
export function deleteTokens(manager: TokenManager, server: string, reason: string): Promise<boolean> {
  return manager.remove({ namespace: TOKENS_NAMESPACE, name: server }, { reason });
}

export async function readClient(manager: TokenManager, server: string): Promise<SavedClient | undefined> {
  const stored = await manager.read({ namespace: CLIENTS_NAMESPACE, name: server }, 'oauth');
  if (!stored?.secret.value || !stored.metadata.details.issuer) return undefined;
  try {
    const information = JSON.parse(stored.secret.value) as OAuthClientInformationMixed;
    if (typeof information.client_id !== 'string') return undefined;
    const recorded = stored.metadata.details.kind;
    const kind = recorded === 'metadata-document' || recorded === 'configured' ? recorded : 'dcr';
    return { issuer: stored.metadata.details.issuer, kind, information };
  } catch {
    return undefined;
  }
}

/** The registration JSON (which may hold a client secret) is the secret value; issuer and client ID stay listable. */
export async function writeClient(manager: TokenManager, server: string, client: SavedClient): Promise<void> {
  const { issuer: _stamp, ...information } = client.information as OAuthClientInformationMixed & { issuer?: string };
  await manager.set({
    name: server,
    type: 'generic',
    namespace: CLIENTS_NAMESPACE,
    secret: { value: JSON.stringify(information) },
    details: { issuer: client.issuer, kind: client.kind, clientId: information.client_id },
  });
}

/** Forgets a server's client registration; the audit log records why. */
export function deleteClient(manager: TokenManager, server: string, reason: string): Promise<boolean> {
  return manager.remove({ namespace: CLIENTS_NAMESPACE, name: server }, { reason });
}

/** Compares issuer URLs as the SDK does: parsed, one trailing slash aside. */
export function sameIssuer(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      return new URL(u).href.replace(/\/$/, '');
    } catch {
      return u.replace(/\/$/, '');
    }
  };
  return norm(a) === norm(b);
}

/** Tokens bound to the login's DPoP key: useless without it (RFC 9449). */
export function senderConstrained(tokens: SavedTokens): boolean {
  return tokens.tokenType === 'DPoP' && tokens.dpop !== undefined;
}

/** Expired, or expiring within the margin (60 s by default). */
export function needsRefresh(tokens: SavedTokens, now: Date, marginMs = 60_000): boolean {
  return tokens.expiresAt !== undefined && Date.parse(tokens.expiresAt) - marginMs <= now.getTime();
}

/** RFC 8414 fields that the SDK's OpenID variant of the metadata type does not declare. */
export interface ExtraMetadata {
  revocation_endpoint?: string;
  revocation_endpoint_auth_methods_supported?: string[];
  /** RFC 9207. */
  authorization_response_iss_parameter_supported?: boolean;
  /** RFC 8628. */
  device_authorization_endpoint?: string;
}

export function extraMetadata(metadata: object): ExtraMetadata {
  return metadata as ExtraMetadata;
}
