import { CliError } from '../../errors.js';
import type { StoredToken, TokenKey, TokenMetadata } from '../../tokens/model.js';
import { validateIdentifier } from '../../tokens/names.js';
import type { SecretStore } from '../store.js';
import type { VaultClient } from './client.js';
import type { KvEngine } from './engine.js';

function isIdentifier(value: string): boolean {
  try {
    validateIdentifier('name', value);
    return true;
  } catch (error) {
    if (error instanceof CliError) return false;
    throw error;
  }
}

/** Tokens in a Vault KV mount, one secret per token at `<prefix>/<namespace>/<name>`. */
export class VaultStore implements SecretStore {
  readonly backend = 'vault' as const;

  constructor(
    private readonly client: VaultClient,
    private readonly engine: KvEngine,
    readonly location: string,
  ) {}

  async list(namespace?: string): Promise<TokenMetadata[]> {
    const namespaces =
      namespace !== undefined
        ? [namespace]
        : (await this.engine.listFolder())
            .filter((k) => k.endsWith('/'))
            .map((k) => k.slice(0, -1))
            .filter(isIdentifier);
    const perNamespace = await this.client.map(namespaces, async (ns) =>
      (await this.engine.listFolder(ns)).filter((k) => !k.endsWith('/') && isIdentifier(k)).map((name) => ({ namespace: ns, name })),
    );
    const found = await this.client.map(perNamespace.flat(), (key) => this.engine.readMetadata(key));
    return found.filter((m): m is TokenMetadata => m !== undefined);
  }

  get(key: TokenKey): Promise<StoredToken | undefined> {
    return this.engine.read(key);
  }

  put(token: StoredToken): Promise<void> {
    return this.engine.write(token);
  }

  async delete(keys: TokenKey[]): Promise<TokenKey[]> {
    const removed = await this.client.map(keys, async (key) => ((await this.engine.remove(key)) ? { namespace: key.namespace, name: key.name } : undefined));
    return removed.filter((k): k is TokenKey => k !== undefined);
  }
}
