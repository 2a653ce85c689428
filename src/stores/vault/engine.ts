import type { StoredToken, TokenKey, TokenMetadata } from '../../tokens/model.js';
import type { VaultClient } from './client.js';

/** One KV version's way of storing tokens. Paths: `<mount>/.../<prefix>/<namespace>/<name>`. */
export interface KvEngine {
  readonly version: 1 | 2;
  /** The keys of a folder (`<prefix>/` or `<prefix>/<namespace>/`); folders end with '/'. */
  listFolder(namespace?: string): Promise<string[]>;
  /** Reads only non-secret metadata where the KV version allows it. */
  readMetadata(key: TokenKey): Promise<TokenMetadata | undefined>;
  read(key: TokenKey): Promise<StoredToken | undefined>;
  write(token: StoredToken): Promise<void>;
  /** True when an mcp-cli token was there and is now gone. */
  remove(key: TokenKey): Promise<boolean>;
}

/** Encodes each path segment; mount and prefix may themselves hold several segments. */
export function vaultPath(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split('/'))
    .map(encodeURIComponent)
    .join('/');
}

/** The keys of a LIST answer; a 404 (Vault's answer for an empty or missing folder) is no keys. */
export async function listKeys(client: VaultClient, path: string): Promise<string[]> {
  const response = await client.request('LIST', `${path}/`);
  if (response.status === 404) return [];
  const keys = (response.body?.data as { keys?: unknown } | undefined)?.keys;
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
}

/** Secret fields are strings; anything else in the data (another tool's) is left out. */
export function stringFields(data: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (typeof v === 'string') out[k] = v;
  return out;
}
