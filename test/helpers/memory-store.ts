import { keyOf, type StoredToken, type TokenKey, type TokenMetadata } from '../../src/tokens/model.js';
import type { SecretStore } from '../../src/stores/store.js';

/** An in-memory SecretStore for testing logic that sits above the backends. */
export class MemoryStore implements SecretStore {
  readonly backend = 'encrypted' as const;
  readonly location = 'memory';
  /** Pass another instance's map to get a second handle on the same tokens, as a second process would have. */
  constructor(readonly tokens = new Map<string, StoredToken>()) {}

  async list(namespace?: string): Promise<TokenMetadata[]> {
    return [...this.tokens.values()].filter((t) => namespace === undefined || t.metadata.namespace === namespace).map((t) => structuredClone(t.metadata));
  }
  async get(key: TokenKey): Promise<StoredToken | undefined> {
    const token = this.tokens.get(keyOf(key));
    return token && structuredClone(token);
  }
  async put(token: StoredToken): Promise<void> {
    this.tokens.set(keyOf(token.metadata), structuredClone(token));
  }
  async delete(keys: TokenKey[]): Promise<TokenKey[]> {
    return keys.filter((k) => this.tokens.delete(keyOf(k)));
  }
}
