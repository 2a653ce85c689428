import { CliError } from '../errors.js';

/** `tokenStorage.vault` in server_config.json. The standard VAULT_* variables override these (see docs/vault.md). */
export interface VaultSettings {
  /** e.g. `https://vault.example.com:8200`; VAULT_ADDR wins. */
  address?: string;
  /** The KV secrets engine's mount path (default `secret`). */
  mount?: string;
  /** The folder inside the mount that holds mcp-cli's tokens (default `mcp-cli`). */
  pathPrefix?: string;
  /** Vault Enterprise namespace (sent as X-Vault-Namespace); VAULT_NAMESPACE wins. */
  namespace?: string;
  /** `auto` asks Vault (sys/internal/ui/mounts), as Vault's own CLI does. */
  kvVersion?: 'auto' | 1 | 2;
  /** PEM file with the CA certificate(s) to trust; VAULT_CACERT wins. */
  caCert?: string;
  /** Directory of PEM CA certificates; VAULT_CAPATH wins. */
  caPath?: string;
  /** PEM client certificate and key for TLS client authentication; VAULT_CLIENT_CERT / VAULT_CLIENT_KEY win. */
  clientCert?: string;
  clientKey?: string;
  /** false disables TLS certificate verification (never do this outside a lab); VAULT_SKIP_VERIFY wins. */
  tlsVerify?: boolean;
  /** How mcp-cli gets its Vault token (default: VAULT_TOKEN or ~/.vault-token). */
  auth?: VaultAuthSettings;
}

export const VAULT_AUTH_METHODS = ['token', 'approle', 'jwt', 'kubernetes'] as const;
export type VaultAuthMethod = (typeof VAULT_AUTH_METHODS)[number];
/** The methods that log in to get a token, as opposed to being handed one. */
export type VaultLoginMethod = Exclude<VaultAuthMethod, 'token'>;

/**
 * `tokenStorage.vault.auth`. It names what to send to Vault (a role_id, the files holding a secret_id or a
 * JWT), so it is read only from a config the user trusts; the secrets themselves are never settings.
 */
export interface VaultAuthSettings {
  method: VaultAuthMethod;
  /** Where the auth method is mounted (`auth/<mount>/login`); default: the method's name. */
  mount?: string;
  /** AppRole's role_id (not a secret: it names the role, as a user name does). */
  roleId?: string;
  /** A file holding AppRole's secret_id; VAULT_SECRET_ID wins. */
  secretIdFile?: string;
  /** The role to log in as (jwt, kubernetes); VAULT_ROLE wins. */
  role?: string;
  /** The file holding the JWT (jwt: required; kubernetes: default the pod's service account token). */
  jwtFile?: string;
  /** Opt-in: keep the token the login gives in this file (0600), for later commands; otherwise it lives in memory only. */
  tokenFile?: string;
}

const STRING_FIELDS = ['address', 'mount', 'pathPrefix', 'namespace', 'caCert', 'caPath', 'clientCert', 'clientKey'] as const;
const ALL_FIELDS: readonly string[] = [...STRING_FIELDS, 'kvVersion', 'tlsVerify', 'auth'];

/** The auth settings each method takes; `method` aside. */
const AUTH_FIELDS: Record<VaultAuthMethod, readonly (keyof VaultAuthSettings)[]> = {
  token: [],
  approle: ['mount', 'roleId', 'secretIdFile', 'tokenFile'],
  jwt: ['mount', 'role', 'jwtFile', 'tokenFile'],
  kubernetes: ['mount', 'role', 'jwtFile', 'tokenFile'],
};
/** Settings that are files: relative paths in them are taken from the config file's directory. */
export const VAULT_AUTH_FILES = ['secretIdFile', 'jwtFile', 'tokenFile'] as const;

/** A mount or path prefix as Vault paths use it: no leading or trailing slash, no empty or dot segments. */
export function normalizeVaultPath(value: string, what: string, label: string): string {
  const trimmed = value.trim().replace(/^\/+|\/+$/g, '');
  const segments = trimmed.split('/');
  if (trimmed === '' || segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new CliError(
      `${label}: tokenStorage.vault.${what}: ${JSON.stringify(value)} is not a valid Vault path`,
      1,
      'use segments such as "secret" or "teams/mcp-cli"',
    );
  return trimmed;
}

/** Checks `tokenStorage.vault`: unknown keys (usually typos) and wrong types are errors that name the field. */
export function vaultSettingsFrom(block: Record<string, unknown>, label: string): VaultSettings {
  const where = (field: string) => `${label}: tokenStorage.vault.${field}`;
  for (const key of Object.keys(block)) {
    if (!ALL_FIELDS.includes(key)) throw new CliError(`${where(key)}: unknown setting`, 1, `known settings: ${ALL_FIELDS.join(', ')}`);
  }
  const settings: VaultSettings = {};
  for (const field of STRING_FIELDS) {
    const value = block[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.trim() === '') throw new CliError(`${where(field)}: expected a non-empty string`);
    settings[field] = value;
  }
  if (settings.address !== undefined && !/^https?:\/\/[^/\s]+/i.test(settings.address))
    throw new CliError(`${where('address')}: ${JSON.stringify(settings.address)} is not an http:// or https:// URL`);
  if (settings.mount !== undefined) settings.mount = normalizeVaultPath(settings.mount, 'mount', label);
  if (settings.pathPrefix !== undefined) settings.pathPrefix = normalizeVaultPath(settings.pathPrefix, 'pathPrefix', label);
  const kv = block.kvVersion;
  if (kv !== undefined) {
    if (kv === 'auto') settings.kvVersion = 'auto';
    else if (kv === 1 || kv === '1') settings.kvVersion = 1;
    else if (kv === 2 || kv === '2') settings.kvVersion = 2;
    else throw new CliError(`${where('kvVersion')}: expected "auto", 1 or 2`);
  }
  if (block.tlsVerify !== undefined) {
    if (typeof block.tlsVerify !== 'boolean') throw new CliError(`${where('tlsVerify')}: expected true or false`);
    settings.tlsVerify = block.tlsVerify;
  }
  if (block.auth !== undefined) settings.auth = vaultAuthFrom(block.auth, label);
  return settings;
}

function vaultAuthFrom(block: unknown, label: string): VaultAuthSettings {
  const where = (field: string) => `${label}: tokenStorage.vault.auth${field ? `.${field}` : ''}`;
  if (typeof block !== 'object' || block === null || Array.isArray(block)) throw new CliError(`${where('')}: expected an object`);
  const raw = block as Record<string, unknown>;
  const method = raw.method;
  if (typeof method !== 'string' || !(VAULT_AUTH_METHODS as readonly string[]).includes(method))
    throw new CliError(
      `${where('method')}: expected one of ${VAULT_AUTH_METHODS.join(', ')}`,
      1,
      'token uses VAULT_TOKEN or ~/.vault-token; the others log in',
    );
  const known = AUTH_FIELDS[method as VaultAuthMethod];
  const auth: VaultAuthSettings = { method: method as VaultAuthMethod };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'method') continue;
    if (!(known as readonly string[]).includes(key)) {
      const secret = /^(secretId|secret_id|jwt|token|clientToken)$/i.test(key) ? ': secrets are never settings (see docs/vault.md)' : '';
      throw new CliError(
        `${where(key)}: not a setting of the ${method} method${secret}`,
        1,
        known.length > 0 ? `its settings: method, ${known.join(', ')}` : 'it takes no other setting',
      );
    }
    if (typeof value !== 'string' || value.trim() === '') throw new CliError(`${where(key)}: expected a non-empty string`);
    auth[key as Exclude<keyof VaultAuthSettings, 'method'>] = value;
  }
  if (auth.mount !== undefined) auth.mount = normalizeVaultPath(auth.mount, 'auth.mount', label);
  if (method === 'approle' && auth.roleId === undefined)
    throw new CliError(`${where('roleId')}: the approle method needs the role's role_id`, 1, 'read it with `vault read auth/approle/role/NAME/role-id`');
  if (method === 'jwt' && auth.jwtFile === undefined) throw new CliError(`${where('jwtFile')}: the jwt method needs the file that holds the JWT`);
  return auth;
}
