import { withFileLock } from '../../fs/lock.js';
import { keyOf, type StoredToken, type TokenKey, type TokenMetadata } from '../../tokens/model.js';
import { StoreError } from '../errors.js';
import type { BackendName, SecretStore } from '../store.js';
import { ChunkedItems } from './items.js';

/** The keychain item that lists every token's metadata (no secrets): one read answers `token list`. */
export const INDEX_ACCOUNT = 'index';

interface IndexFile {
  v: 1;
  tokens: TokenMetadata[];
}

/** Which token accounts exist, read from item attributes only (the Secret Service can; other keychains cannot). */
export type AccountLister = () => Promise<Set<string>>;

/** A token account is `<namespace>:<name>`: exactly one ':' (neither part may contain one). */
export function isTokenAccount(account: string): boolean {
  const i = account.indexOf(':');
  return i > 0 && i === account.lastIndexOf(':') && i < account.length - 1;
}

export interface KeychainStoreOptions {
  backend: BackendName;
  location: string;
  items: ChunkedItems;
  /** A file lock around changes to the index, so concurrent writers do not lose entries. */
  indexLockPath: string;
  listAccounts?: AccountLister;
}

/**
 * Tokens in the OS keychain: one item per token at account `<namespace>:<name>` holding
 * `{ metadata, secret }`, plus an index item with all metadata. Listing reads the index; where
 * the keychain can enumerate its items without their secrets (Secret Service), the index is
 * reconciled with what really exists: an item deleted with the OS's tools is not listed, and
 * an item the index misses (its writer died before updating it) is read once and added.
 */
export class KeychainStore implements SecretStore {
  readonly backend: BackendName;
  readonly location: string;

  constructor(private readonly options: KeychainStoreOptions) {
    this.backend = options.backend;
    this.location = options.location;
  }

  async list(namespace?: string): Promise<TokenMetadata[]> {
    const [index, accounts] = await Promise.all([this.readIndex(), this.options.listAccounts?.()]);
    let entries = index.tokens;
    if (accounts) {
      const present = new Set([...accounts].filter(isTokenAccount));
      const indexed = new Set(entries.map(keyOf));
      entries = entries.filter((m) => present.has(keyOf(m)));
      const missing = [...present].filter((account) => !indexed.has(account));
      if (missing.length > 0) entries = entries.concat(await this.adopt(missing));
    }
    return entries.filter((m) => namespace === undefined || m.namespace === namespace);
  }

  /** From the items' attributes where the keychain can list them (no index read), else from the index. */
  async keys(): Promise<TokenKey[]> {
    if (!this.options.listAccounts) return this.list();
    return [...(await this.options.listAccounts())].filter(isTokenAccount).map((account) => {
      const [namespace, name] = account.split(':') as [string, string];
      return { namespace, name };
    });
  }

  async get(key: TokenKey): Promise<StoredToken | undefined> {
    const text = await this.options.items.get(keyOf(key));
    return text === undefined ? undefined : this.parseToken(text, keyOf(key));
  }

  async put(token: StoredToken): Promise<void> {
    await this.putMany([token]);
  }

  /** Creates or replaces several tokens with one index update (used by import). */
  async putMany(incoming: StoredToken[]): Promise<void> {
    for (const token of incoming) await this.options.items.set(keyOf(token.metadata), JSON.stringify({ metadata: token.metadata, secret: token.secret }));
    const replaced = new Set(incoming.map((t) => keyOf(t.metadata)));
    await this.updateIndex((tokens) => [...tokens.filter((m) => !replaced.has(keyOf(m))), ...incoming.map((t) => t.metadata)]);
  }

  async delete(keys: TokenKey[]): Promise<TokenKey[]> {
    const deleted: TokenKey[] = [];
    for (const key of keys) if (await this.options.items.delete(keyOf(key))) deleted.push({ namespace: key.namespace, name: key.name });
    const gone = new Set(keys.map(keyOf));
    await this.updateIndex((tokens) => tokens.filter((m) => !gone.has(keyOf(m))));
    return deleted;
  }

  /** Items without an index entry: their metadata is read from the items themselves and indexed. */
  private async adopt(accounts: string[]): Promise<TokenMetadata[]> {
    const found: TokenMetadata[] = [];
    for (const account of accounts) {
      const text = await this.options.items.get(account);
      if (text === undefined) continue;
      const token = this.parseTokenOrUndefined(text);
      if (token && keyOf(token.metadata) === account) found.push(token.metadata);
    }
    if (found.length > 0) {
      const adopted = new Set(found.map(keyOf));
      await this.updateIndex((tokens) => [...tokens.filter((m) => !adopted.has(keyOf(m))), ...found]);
    }
    return found;
  }

  private async readIndex(): Promise<IndexFile> {
    const text = await this.options.items.get(INDEX_ACCOUNT);
    if (text === undefined) return { v: 1, tokens: [] };
    try {
      const index = JSON.parse(text) as IndexFile;
      if (index.v === 1 && Array.isArray(index.tokens)) return index;
    } catch {
      // reported below
    }
    throw new StoreError('corrupt', `the token index in ${this.location} (account '${INDEX_ACCOUNT}') is unreadable`, {
      backend: this.backend,
      remedy: 'delete that item; the tokens are re-indexed from their own items',
    });
  }

  private async updateIndex(change: (tokens: TokenMetadata[]) => TokenMetadata[]): Promise<void> {
    await withFileLock(this.options.indexLockPath, async () => {
      const index = await this.readIndex();
      const tokens = change(index.tokens).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
      await this.options.items.set(INDEX_ACCOUNT, JSON.stringify({ v: 1, tokens } satisfies IndexFile));
    });
  }

  private parseToken(text: string, account: string): StoredToken {
    const token = this.parseTokenOrUndefined(text);
    const corrupt = (what: string) =>
      new StoreError('corrupt', `keychain item '${account}' in ${this.location} ${what}`, {
        backend: this.backend,
        remedy: 'delete it with the OS keychain tool, or store the token again',
      });
    if (!token) throw corrupt('is not an mcp-cli token');
    // A keychain that looks accounts up without case (or an item written by hand) must not hand out another token.
    if (keyOf(token.metadata) !== account) throw corrupt(`holds another token ('${keyOf(token.metadata)}')`);
    return token;
  }

  private parseTokenOrUndefined(text: string): StoredToken | undefined {
    try {
      const token = JSON.parse(text) as StoredToken;
      if (token && typeof token.metadata?.name === 'string' && typeof token.metadata.namespace === 'string' && token.secret && typeof token.secret === 'object')
        return token;
    } catch {
      // not ours
    }
    return undefined;
  }
}
