import { dirname, isAbsolute, resolve } from 'node:path';
import { CliError } from '../errors.js';
import { VAULT_AUTH_FILES, vaultSettingsFrom, type VaultSettings } from './vault-settings.js';

/** The `tokenStorage` block of server_config.json. Each backend reads its own settings object. */
export interface TokenStorageSettings {
  backend?: string;
  encrypted?: { path?: string };
  vault?: VaultSettings;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// A relative path in the file means relative to the file: never to wherever mcp-cli happens to run
// (a cloned repository could put a CA or a token file there). `~/` stays for the backends to expand.
const fromFile = (path: string, file: string) => (isAbsolute(path) || /^~(\/|$)/.test(path) ? path : resolve(dirname(file), path));

/** Picks `tokenStorage` out of the parsed config file at `label`, checking only the fields the token commands use. */
export function tokenStorageFrom(config: unknown, label: string): TokenStorageSettings {
  if (!isObject(config)) throw new CliError(`${label}: expected a JSON object at the top level`);
  const block = config.tokenStorage;
  if (block === undefined) return {};
  if (!isObject(block)) throw new CliError(`${label}: tokenStorage: expected an object`);
  if (block.backend !== undefined && typeof block.backend !== 'string') throw new CliError(`${label}: tokenStorage.backend: expected a string`);
  for (const key of ['encrypted', 'vault'] as const) {
    if (block[key] !== undefined && !isObject(block[key])) throw new CliError(`${label}: tokenStorage.${key}: expected an object`);
  }
  const encrypted = block.encrypted as Record<string, unknown> | undefined;
  if (encrypted?.path !== undefined && typeof encrypted.path !== 'string') throw new CliError(`${label}: tokenStorage.encrypted.path: expected a string`);
  const vault = block.vault === undefined ? undefined : vaultSettingsFrom(block.vault as Record<string, unknown>, label);
  if (vault) for (const key of ['caCert', 'caPath', 'clientCert', 'clientKey'] as const) if (vault[key] !== undefined) vault[key] = fromFile(vault[key], label);
  if (vault?.auth) for (const key of VAULT_AUTH_FILES) if (vault.auth[key] !== undefined) vault.auth[key] = fromFile(vault.auth[key], label);
  const encryptedPath = typeof encrypted?.path === 'string' ? { encrypted: { ...encrypted, path: fromFile(encrypted.path, label) } } : {};
  return { ...(block as TokenStorageSettings), ...encryptedPath, ...(vault ? { vault } : {}) };
}
