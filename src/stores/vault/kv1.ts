import type { StoredToken, TokenKey, TokenMetadata } from '../../tokens/model.js';
import type { VaultClient } from './client.js';
import { listKeys, stringFields, vaultPath, type KvEngine } from './engine.js';
import { decodeMetadata, encodeMetadata } from './metadata.js';

/** The field of a KV v1 secret that holds the token's metadata, beside the value fields. */
export const METADATA_FIELD = 'mcp-cli:metadata';

/**
 * KV v1 has no versions, custom_metadata or check-and-set. Each token is one secret
 * holding its value fields and, beside them, its metadata: a write replaces both at
 * once, so it is never half done. Listing has to read each secret (the values are
 * dropped at once and never shown).
 */
export class KvV1 implements KvEngine {
  readonly version = 1;

  constructor(
    private readonly client: VaultClient,
    private readonly mount: string,
    private readonly prefix: string,
  ) {}

  private path(...rest: string[]): string {
    return vaultPath(this.mount, this.prefix, ...rest);
  }

  listFolder(namespace?: string): Promise<string[]> {
    return listKeys(this.client, this.path(...(namespace === undefined ? [] : [namespace])));
  }

  async read(key: TokenKey): Promise<StoredToken | undefined> {
    const response = await this.client.request('GET', this.path(key.namespace, key.name));
    if (response.status === 404) return undefined;
    const { [METADATA_FIELD]: raw, ...rest } = (response.body?.data ?? {}) as Record<string, unknown>;
    const metadata = decodeMetadata(key, raw);
    return metadata ? { metadata, secret: stringFields(rest) } : undefined;
  }

  async readMetadata(key: TokenKey): Promise<TokenMetadata | undefined> {
    return (await this.read(key))?.metadata;
  }

  async write(token: StoredToken): Promise<void> {
    const key = token.metadata;
    await this.client.request('POST', this.path(key.namespace, key.name), { ...token.secret, [METADATA_FIELD]: encodeMetadata(token.metadata) });
  }

  async remove(key: TokenKey): Promise<boolean> {
    const existing = await this.read(key);
    if (!existing) return false;
    await this.client.request('DELETE', this.path(key.namespace, key.name));
    return true;
  }
}
