import { CREDENTIAL_VARIABLES, credentialVariable } from '../credential-variables.js';
import { CliError } from '../errors.js';
import { parseDuration } from '../tokens/duration.js';
import { validateIdentifier } from '../tokens/names.js';
import { KNOWN_PROVIDERS, type ProviderEndpoint } from '../validation/providers.js';
import type { ConfigLocation } from './locate.js';
import { arrayOf, boolean, either, httpUrl, integer, object, oneOf, recordOf, string, type Issue, type Shape } from './shape.js';
import { tokenStorageFrom, type TokenStorageSettings } from './token-storage.js';

export type { ProviderEndpoint };

/** The optional `oauth` block of a server entry; its strings may hold references until resolved. */
export interface OAuthSettings {
  /** A pre-registered client; used before a client ID metadata document or dynamic registration. */
  clientId?: string;
  clientSecret?: string;
  scopes?: string[];
  /** Fixes the loopback listener's port (for clients registered with one redirect URI). */
  callbackPort?: number;
  /** Skips discovery: the authorization server's RFC 8414 / OpenID metadata document. */
  authServerMetadataUrl?: string;
  /**
   * The client ID metadata document for authorization servers that accept one: an https URL (it is the
   * client ID), or false for none (dynamic registration). Default: the top-level setting, else mcp-cli's own.
   */
  clientMetadataUrl?: string | false;
  /**
   * How tokens are obtained: `authorization_code` (default: a user logs in, in a browser or with a device
   * code), `client_credentials` (the client acts on its own behalf: CI, servers; no browser, no user) or
   * `jwt_bearer` (a workload presents a JWT its platform issued, RFC 7523: workload identity federation).
   */
  grant?: OAuthGrantSetting;
  /** Where a `jwt_bearer` login gets the JWT it presents: a file, the pod's token, GitHub Actions, a command or a variable. */
  assertion?: AssertionSource;
  /** Tokens come through the enterprise identity provider of the top-level `idp` block (an identity assertion grant, ID-JAG). */
  idp?: boolean;
  /** A PEM private key (RSA or P-256) for private_key_jwt client authentication (RFC 7523), instead of a client secret. */
  privateKey?: string;
  /** The `kid` header of the client assertions, for authorization servers that hold several keys of the client. */
  keyId?: string;
  /** The `aud` of the client assertions: the issuer (default) or the token endpoint, as some identity providers require. */
  assertionAudience?: 'issuer' | 'token_endpoint';
  /** False: no RFC 8707 `resource` parameter in any request, for authorization servers that refuse it (Entra ID). */
  resource?: boolean;
  /** The issuer of the authorization server the configured client is registered with: its credentials go there only. */
  issuer?: string;
  /**
   * DPoP (RFC 9449): tokens bound to a key of mcp-cli's, useless without it. Unset: whenever the authorization
   * server offers it; false: never; true: required (a server that does not offer it, or issues Bearer tokens, is an error).
   */
  dpop?: boolean;
}

export const OAUTH_GRANT_SETTINGS = ['authorization_code', 'client_credentials', 'jwt_bearer'] as const;
export type OAuthGrantSetting = (typeof OAUTH_GRANT_SETTINGS)[number];

export const ASSERTION_SOURCES = ['file', 'kubernetes', 'github-actions', 'command', 'env'] as const;
export type AssertionSourceKind = (typeof ASSERTION_SOURCES)[number];

/**
 * Where a workload's JWT comes from, read afresh for each grant: a file (`path`), the pod's projected
 * service account token (`kubernetes`, `path` optional), GitHub Actions' OIDC token for `audience`
 * (default: the issuer), the standard output of a program (`command`, `args`, `env`, `cwd`, started as a
 * stdio server is), or an environment variable (`variable`).
 */
export interface AssertionSource {
  source: AssertionSourceKind;
  path?: string;
  audience?: string;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  variable?: string;
}

/** The fields each assertion source takes; `source` aside. */
export const ASSERTION_FIELDS: Record<AssertionSourceKind, readonly (keyof AssertionSource)[]> = {
  file: ['path'],
  kubernetes: ['path'],
  'github-actions': ['audience'],
  command: ['command', 'args', 'env', 'cwd'],
  env: ['variable'],
};

/**
 * The top-level `idp` block (your own config only): the enterprise identity provider you sign in to
 * once (OpenID Connect), whose ID token is exchanged for identity assertion grants to the servers with
 * `"oauth": { "idp": true }`.
 */
export interface IdpSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Default: `openid`, and `offline_access` where the provider lists it (a refresh token). */
  scopes?: string[];
  callbackPort?: number;
}

/**
 * How a connection settles the protocol era: `auto` asks the server (`server/discover`, else the 2025
 * `initialize`); a revision pins its era and never falls back.
 */
export const PROTOCOL_SETTINGS = ['auto', '2026-07-28', '2025-11-25'] as const;
export type ProtocolSetting = (typeof PROTOCOL_SETTINGS)[number];

export interface StdioServerEntry {
  transport: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  oauth?: OAuthSettings;
  /** Unset: the 2025 opening (probing a stdio server costs a second process). */
  protocol?: ProtocolSetting;
}

/** Mutual TLS for an HTTPS server: PEM texts, normally `${TOKEN:ns:name:cert}` / `:key` / `:ca` of a client-cert token. */
export interface TlsSettings {
  /** The client certificate presented to the server (with `key`). */
  cert?: string;
  key?: string;
  /** CA certificates that replace the default trust store for verifying the server. */
  ca?: string;
}

export interface HttpServerEntry {
  transport: 'streamable-http' | 'sse';
  url: string;
  headers: Record<string, string>;
  tls?: TlsSettings;
  oauth?: OAuthSettings;
  /** Which OAuth login of the server to use: a named account (`auth login NAME --account ACCOUNT`); unset, its default login. */
  account?: string;
  /** Unset: `auto` for streamable HTTP; the SSE transport is 2025 only. */
  protocol?: ProtocolSetting;
}

export type ServerEntry = StdioServerEntry | HttpServerEntry;

export interface TokenValidationSettings {
  providers: Record<string, ProviderEndpoint>;
  /** Milliseconds each network check may take. */
  timeoutMs?: number;
}

/** The top-level `oauth` block: settings for every server's OAuth login that its own `oauth` block does not set. */
export interface OAuthDefaults {
  /** The client ID metadata document (an https URL), or false for none; default mcp-cli's own. */
  clientMetadataUrl?: string | false;
}

export interface ServerConfig {
  location: ConfigLocation;
  servers: Record<string, ServerEntry>;
  oauth: OAuthDefaults;
  /** The enterprise identity provider; honoured only in your own config (services/idp-settings.ts). */
  idp?: IdpSettings;
  tokenStorage: TokenStorageSettings;
  /** `tokenExpiryWarning` in milliseconds (0: never warn); undefined when the file does not set it. */
  tokenExpiryWarningMs?: number;
  tokenValidation: TokenValidationSettings;
}

const stringMap = recordOf(string());

/** An https URL as text (it may hold references until resolved), or false; `true` means nothing. */
const documentUrl: Shape<string | false> = (value, path, issues) => {
  if (value === false || typeof value === 'string') return value;
  issues.push({ path, message: 'expected the https URL of a client ID metadata document, or false for none' });
  return undefined;
};

const oauthShape = object({
  clientId: string(),
  clientSecret: string(),
  scopes: either(string(), arrayOf(string())),
  callbackPort: integer(0, 65535),
  authServerMetadataUrl: string(),
  clientMetadataUrl: documentUrl,
  grant: oneOf(OAUTH_GRANT_SETTINGS),
  assertion: object(
    {
      source: oneOf(ASSERTION_SOURCES),
      path: string({ nonEmpty: true }),
      audience: string({ nonEmpty: true }),
      command: string({ nonEmpty: true }),
      args: arrayOf(string()),
      env: stringMap,
      cwd: string({ nonEmpty: true }),
      variable: string({ pattern: { test: /^[A-Za-z_][A-Za-z0-9_]*$/, message: 'expected the name of an environment variable' } }),
    },
    'strict',
  ),
  idp: boolean,
  privateKey: string(),
  keyId: string(),
  assertionAudience: oneOf(['issuer', 'token_endpoint']),
  resource: boolean,
  issuer: string(),
  dpop: boolean,
});

// Loose objects: other clients' configs carry fields we do not know, and that is fine.
const entryShape = object({
  command: string({ nonEmpty: true }),
  args: arrayOf(string()),
  env: stringMap,
  cwd: string(),
  url: string({ nonEmpty: true }),
  headers: stringMap,
  transport: oneOf(['streamable-http', 'sse']),
  // Claude Code and VS Code spell the transport `type`.
  type: oneOf(['stdio', 'http', 'streamable-http', 'sse']),
  tls: object({ cert: string(), key: string(), ca: string() }, 'strict'),
  oauth: oauthShape,
  account: string(),
  protocol: oneOf(PROTOCOL_SETTINGS),
});

const duration = string({ pattern: { test: /^(0|off|\d+\s*[smhdwy])$/i, message: 'expected a duration such as 7d, 12h or 2w, or "off"' } });

const fileShape = object({
  mcpServers: recordOf(entryShape),
  oauth: object({ clientMetadataUrl: documentUrl }, 'strict'),
  idp: object(
    {
      issuer: string({ nonEmpty: true }),
      clientId: string({ nonEmpty: true }),
      clientSecret: string(),
      scopes: either(string(), arrayOf(string())),
      callbackPort: integer(0, 65535),
    },
    'strict',
  ),
  tokenExpiryWarning: duration,
  tokenValidation: object(
    {
      providers: recordOf(object({ baseUrl: httpUrl, api: oneOf(['openai', 'anthropic', 'google']) }, 'strict')),
      timeout: duration,
    },
    'strict',
  ),
});

type RawEntry = NonNullable<ReturnType<typeof entryShape>>;

/** A duration the schema accepted: `0` and `off` are zero. */
function durationMs(text: string): number {
  return parseDuration(text) ?? 0;
}

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `mcpServers.my-api.headers["X-Key"]`, `mcpServers.x.args[2]`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (SIMPLE_KEY.test(String(part))) out += out ? `.${String(part)}` : String(part);
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out || '(top level)';
}

function normalizeScopes(scopes: string | string[] | undefined): string[] | undefined {
  if (scopes === undefined) return undefined;
  return (typeof scopes === 'string' ? scopes.split(/\s+/) : scopes).filter((s) => s !== '');
}

/** The combinations of `oauth` settings that cannot work, named by their JSON path. */
function checkOAuth(oauth: NonNullable<RawEntry['oauth']>, at: string): void {
  const grant = oauth.grant;
  const machine = grant === 'client_credentials' || grant === 'jwt_bearer' || oauth.idp === true;
  const how = oauth.idp === true ? '"idp": true' : `"grant": ${JSON.stringify(grant)}`;
  if (oauth.idp === true && grant !== undefined && grant !== 'authorization_code')
    throw new CliError(`${at}: "idp": true and "grant": ${JSON.stringify(grant)} are two ways to get tokens without a browser; give one of them`);
  if (oauth.clientSecret !== undefined && oauth.privateKey !== undefined)
    throw new CliError(`${at}: "clientSecret" and "privateKey" are two ways for the client to authenticate; give one of them`);
  if (grant === 'client_credentials') {
    if (oauth.clientId === undefined)
      throw new CliError(`${at}: "grant": "client_credentials" needs "clientId" (a client registered with the authorization server)`);
    if (oauth.clientSecret === undefined && oauth.privateKey === undefined)
      throw new CliError(`${at}: "grant": "client_credentials" needs "clientSecret" or "privateKey" (normally a \${TOKEN:...} reference)`);
  }
  if (oauth.idp === true && oauth.clientId === undefined)
    throw new CliError(
      `${at}: "idp": true needs "clientId" (the client the identity provider issues grants for, registered with the server's authorization server)`,
    );
  if (grant === 'jwt_bearer' && oauth.assertion === undefined)
    throw new CliError(`${at}: "grant": "jwt_bearer" needs "assertion", the source of the JWT it presents (see docs/oauth.md)`);
  if (grant !== 'jwt_bearer' && oauth.assertion !== undefined) throw new CliError(`${at}: "assertion" applies only with "grant": "jwt_bearer"`);
  if (oauth.assertion) checkAssertion(oauth.assertion, `${at}.assertion`);
  if (machine) {
    for (const field of ['callbackPort', 'clientMetadataUrl'] as const)
      if (oauth[field] !== undefined) throw new CliError(`${at}: "${field}" does not apply to ${how} (no browser, no redirect)`);
    if ((oauth.clientSecret !== undefined || oauth.privateKey !== undefined) && oauth.clientId === undefined)
      throw new CliError(`${at}: "${oauth.clientSecret !== undefined ? 'clientSecret' : 'privateKey'}" needs "clientId", the client it authenticates`);
  } else if (oauth.privateKey !== undefined)
    throw new CliError(`${at}: "privateKey" is used with "grant": "client_credentials" or "jwt_bearer", or "idp": true`);
  for (const field of ['keyId', 'assertionAudience'] as const)
    if (oauth[field] !== undefined && oauth.privateKey === undefined) throw new CliError(`${at}: "${field}" applies only with "privateKey"`);
}

/** An assertion source names its kind and what that kind reads, nothing else. */
function checkAssertion(assertion: AssertionSource | Partial<AssertionSource>, at: string): void {
  const { source } = assertion;
  if (source === undefined) throw new CliError(`${at}: "source" is missing (one of ${ASSERTION_SOURCES.map((s) => JSON.stringify(s)).join(', ')})`);
  const allowed = ASSERTION_FIELDS[source];
  for (const field of Object.keys(assertion) as (keyof AssertionSource)[])
    if (field !== 'source' && !allowed.includes(field))
      throw new CliError(
        `${at}: "${field}" does not apply to "source": ${JSON.stringify(source)}${allowed.length ? ` (it takes ${allowed.map((f) => `"${f}"`).join(', ')})` : ''}`,
      );
  const required = { file: 'path', command: 'command', env: 'variable' } as const;
  const needed = required[source as keyof typeof required];
  if (needed !== undefined && assertion[needed] === undefined) throw new CliError(`${at}: "source": ${JSON.stringify(source)} needs "${needed}"`);
  const variable = assertion.variable !== undefined ? credentialVariable(assertion.variable) : undefined;
  if (variable)
    throw new CliError(
      `${at}: ${assertion.variable} is mcp-cli's own credential (${CREDENTIAL_VARIABLES[variable]}), which is never sent anywhere as an assertion`,
    );
}

function normalizeEntry(name: string, raw: RawEntry, label: string): ServerEntry {
  const at = `${label}: ${jsonPath(['mcpServers', name])}`;
  // A name is a command-line argument (`mcp-cli run NAME`): one that reads as an option, or that holds control characters, would not name it.
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (name === '' || name.startsWith('-') || /[\u0000-\u001f\u007f-\u009f]/.test(name))
    throw new CliError(`${at}: a server name must not be empty, start with "-", or hold control characters`);
  if (raw.oauth) checkOAuth(raw.oauth, `${at}.oauth`);
  const oauth = raw.oauth ? { ...raw.oauth, scopes: normalizeScopes(raw.oauth.scopes) } : undefined;
  const protocol = raw.protocol !== undefined ? { protocol: raw.protocol } : {};
  const withOAuth = <T extends ServerEntry>(entry: T): T => ({ ...entry, ...(oauth ? { oauth } : {}), ...protocol });
  if (raw.command !== undefined && raw.url !== undefined)
    throw new CliError(`${at}: has both "command" and "url"; a server is either stdio (command) or HTTP (url)`);
  if (raw.command !== undefined) {
    if (raw.tls !== undefined) throw new CliError(`${at}: "tls" applies to HTTPS servers, but the entry has a "command"`);
    if (raw.type !== undefined && raw.type !== 'stdio')
      throw new CliError(`${at}: "type": ${JSON.stringify(raw.type)} needs a "url", but the entry has a "command"`);
    if (raw.transport !== undefined) throw new CliError(`${at}: "transport" applies to HTTP servers, but the entry has a "command"`);
    if (raw.account !== undefined) throw new CliError(`${at}: "account" picks an OAuth login, which HTTP servers (url) have; the entry has a "command"`);
    return withOAuth({
      transport: 'stdio',
      command: raw.command,
      args: raw.args ?? [],
      env: raw.env ?? {},
      ...(raw.cwd !== undefined ? { cwd: raw.cwd } : {}),
    });
  }
  if (raw.url === undefined) throw new CliError(`${at}: expected "command" (a stdio server) or "url" (an HTTP server)`);
  if (raw.type === 'stdio') throw new CliError(`${at}: "type": "stdio" needs a "command", but the entry has a "url"`);
  if (raw.tls !== undefined && (raw.tls.cert === undefined) !== (raw.tls.key === undefined))
    throw new CliError(`${at}.tls: "cert" and "key" go together (the client certificate and its private key)`);
  const fromType = raw.type === 'http' ? 'streamable-http' : raw.type;
  if (raw.transport !== undefined && fromType !== undefined && raw.transport !== fromType)
    throw new CliError(`${at}: "transport": ${JSON.stringify(raw.transport)} contradicts "type": ${JSON.stringify(raw.type)}`);
  const transport = raw.transport ?? fromType ?? 'streamable-http';
  if (transport === 'sse' && raw.protocol !== undefined && raw.protocol !== '2025-11-25')
    throw new CliError(
      `${at}: "protocol": ${JSON.stringify(raw.protocol)} needs streamable HTTP; the SSE transport speaks only the 2025 protocol ("2025-11-25")`,
    );
  return withOAuth({
    transport,
    url: raw.url,
    headers: raw.headers ?? {},
    ...(raw.tls ? { tls: raw.tls } : {}),
    ...(raw.account !== undefined ? { account: checkedAccount(raw.account, `${at}.account`) } : {}),
  });
}

function idpSettings(raw: NonNullable<NonNullable<ReturnType<typeof fileShape>>['idp']>, label: string): IdpSettings {
  for (const field of ['issuer', 'clientId'] as const)
    if (raw[field] === undefined)
      throw new CliError(`${label}: idp: "${field}" is missing (the identity provider's issuer and the client mcp-cli is registered as there)`);
  const { scopes, ...rest } = raw;
  const normalized = normalizeScopes(scopes);
  return { ...rest, issuer: raw.issuer!, clientId: raw.clientId!, ...(normalized ? { scopes: normalized } : {}) };
}

/**
 * VS Code's mcp.json keeps its servers under "servers"; copied as it is, mcp-cli would find no
 * server at all and say so as if the file were empty.
 */
function refuseOtherClientShape(data: unknown, label: string): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
  if (Object.hasOwn(data, 'mcpServers') || !Object.hasOwn(data, 'servers')) return;
  throw new CliError(
    `${label}: has "servers" (the key of VS Code's mcp.json) but no "mcpServers": mcp-cli reads servers from "mcpServers" only`,
    1,
    'rename "servers" to "mcpServers"; the entries can stay as they are ("type": "http", "sse" and "stdio" are understood)',
  );
}

/** An entry's `account`, checked as `--account` is. */
function checkedAccount(account: string, at: string): string {
  try {
    return validateIdentifier('account', account);
  } catch (error) {
    throw new CliError(`${at}: ${(error as CliError).message}`, 1, (error as CliError).hint);
  }
}

/** Validates a parsed server_config.json; errors name the file, the JSON path and what was expected. */
export function parseServerConfig(data: unknown, location: ConfigLocation): ServerConfig {
  const label = location.path;
  refuseOtherClientShape(data, label);
  const tokenStorage = tokenStorageFrom(data, label);
  const issues: Issue[] = [];
  const parsed = fileShape(data, [], issues);
  if (!parsed) {
    const issue = issues[0]!;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    throw new CliError(`${label}: ${jsonPath(issue.path)}: ${issue.message}${more}`);
  }
  const servers: Record<string, ServerEntry> = Object.fromEntries(
    Object.entries(parsed.mcpServers ?? {}).map(([name, raw]) => [name, normalizeEntry(name, raw, label)]),
  );
  for (const [name, entry] of Object.entries(servers))
    // A named account's login is stored as SERVER@ACCOUNT (src/oauth/target.ts): another server of that name would share it.
    if (entry.transport !== 'stdio' && entry.account !== undefined && Object.hasOwn(servers, `${name}@${entry.account}`))
      throw new CliError(
        `${label}: ${jsonPath(['mcpServers', name, 'account'])}: the login of this account is stored as '${name}@${entry.account}', the name of another server here`,
      );
  const { tokenExpiryWarning, tokenValidation, oauth, idp } = parsed;
  for (const [name, provider] of Object.entries(tokenValidation?.providers ?? {})) {
    if (provider.api === undefined && !KNOWN_PROVIDERS.includes(name.toLowerCase()))
      throw new CliError(
        `${label}: ${jsonPath(['tokenValidation', 'providers', name])}: "api" is needed for a provider mcp-cli does not know (it knows ${KNOWN_PROVIDERS.join(', ')}); set it to "openai", "anthropic" or "google"`,
      );
  }
  return {
    location,
    servers,
    oauth: oauth?.clientMetadataUrl !== undefined ? { clientMetadataUrl: oauth.clientMetadataUrl } : {},
    ...(idp ? { idp: idpSettings(idp, label) } : {}),
    tokenStorage,
    ...(tokenExpiryWarning !== undefined ? { tokenExpiryWarningMs: durationMs(tokenExpiryWarning) } : {}),
    tokenValidation: {
      providers: tokenValidation?.providers ?? {},
      ...(tokenValidation?.timeout !== undefined ? { timeoutMs: durationMs(tokenValidation.timeout) } : {}),
    },
  };
}
