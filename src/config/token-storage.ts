import { CliError } from '../errors.js';
import { vaultSettingsFrom, type VaultSettings } from './vault-settings.js';

/** The `tokenStorage` block of server_config.json. Each backend reads its own settings object. */
export interface TokenStorageSettings {
  backend?: string;
  encrypted?: { path?: string };
  vault?: VaultSettings;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Picks `tokenStorage` out of a parsed config, checking only the fields the token commands use. */
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
  return { ...(block as TokenStorageSettings), ...(vault ? { vault } : {}) };
}
