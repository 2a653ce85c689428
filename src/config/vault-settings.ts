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
}

const STRING_FIELDS = ['address', 'mount', 'pathPrefix', 'namespace', 'caCert', 'caPath', 'clientCert', 'clientKey'] as const;
const ALL_FIELDS: readonly string[] = [...STRING_FIELDS, 'kvVersion', 'tlsVerify'];

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
  return settings;
}
