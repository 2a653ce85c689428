export const TOKEN_TYPES = ['bearer', 'api-key', 'basic', 'oauth', 'generic', 'client-cert'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** Everything about a token except its secret fields. Safe to list, print and log. */
export interface TokenMetadata {
  name: string;
  namespace: string;
  type: TokenType;
  /** ISO 8601 timestamps. */
  createdAt: string;
  updatedAt: string;
  expiresAt?: string;
  provider?: string;
  /** Free-form, non-secret details (organization, username, scope, issuer...). */
  details: Record<string, string>;
}

/** The secret fields of a token, e.g. `{ token }` for bearer or `{ accessToken, refreshToken }` for OAuth. */
export type TokenSecret = Record<string, string>;

export interface StoredToken {
  metadata: TokenMetadata;
  secret: TokenSecret;
}

export interface TokenKey {
  namespace: string;
  name: string;
}

/** The secret field that `--show-value` prints and a `${TOKEN:ns:name}` reference yields. */
export const PRIMARY_SECRET_FIELD: Record<TokenType, string> = {
  bearer: 'token',
  'api-key': 'key',
  basic: 'password',
  oauth: 'accessToken',
  generic: 'value',
  'client-cert': 'key',
};

export const DEFAULT_NAMESPACE: Record<TokenType, string> = {
  bearer: 'bearer',
  'api-key': 'api-key',
  basic: 'generic',
  oauth: 'oauth',
  generic: 'generic',
  'client-cert': 'generic',
};

/** OAuth logins live in namespace `oauth` under the server's name, as `token get NAME --oauth` expects. */
export const OAUTH_TOKENS_NAMESPACE = 'oauth';
/** Client registrations live beside them, one per server. */
export const OAUTH_CLIENTS_NAMESPACE = 'oauth-client';
/** The enterprise identity provider's login (ID token, refresh token), one for the account. */
export const OAUTH_IDP_NAMESPACE = 'oauth-idp';

/** Namespaces whose tokens only the OAuth login of their own server may send anywhere. */
export function isOAuthNamespace(namespace: string): boolean {
  // Compared without case: some keychains look accounts up without it.
  const lower = namespace.toLowerCase();
  return lower === OAUTH_TOKENS_NAMESPACE || lower === OAUTH_CLIENTS_NAMESPACE || lower === OAUTH_IDP_NAMESPACE;
}

export function isTokenType(value: string): value is TokenType {
  return (TOKEN_TYPES as readonly string[]).includes(value);
}

/** Accepts the spellings users type: `api-key`, `api_key`, `apikey`. */
export function parseTokenType(value: string): TokenType | undefined {
  const normalized = value.trim().toLowerCase().replace(/_/g, '-');
  if (normalized === 'apikey') return 'api-key';
  if (normalized === 'clientcert' || normalized === 'cert') return 'client-cert';
  return isTokenType(normalized) ? normalized : undefined;
}

export function primaryValue(token: StoredToken): string | undefined {
  return token.secret[PRIMARY_SECRET_FIELD[token.metadata.type]];
}

export function isExpired(metadata: TokenMetadata, now: Date): boolean {
  return metadata.expiresAt !== undefined && Date.parse(metadata.expiresAt) <= now.getTime();
}

export function keyOf(metadata: TokenKey): string {
  return `${metadata.namespace}:${metadata.name}`;
}
