import type { StoredToken, TokenKey, TokenMetadata } from '../../tokens/model.js';
import { vaultErrors, type VaultClient } from './client.js';
import { listKeys, stringFields, vaultPath, type KvEngine } from './engine.js';
import { vaultFailure } from './connection.js';
import { decodeMetadata, encodeMetadata } from './metadata.js';

const CAS_MISMATCH = 'check-and-set parameter did not match the current version';
const MAX_CAS_ATTEMPTS = 30;
/** custom_metadata key holding the data version that the metadata describes. */
const VERSION_KEY = 'version';

interface KeyState {
  currentVersion: number;
  /** The committed token, when the entry is mcp-cli's and complete. */
  metadata?: TokenMetadata;
  committedVersion?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * KV v2. The value fields are the secret data; the metadata lives in custom_metadata,
 * so listing never reads a secret. A write is two steps: the data goes in as a new
 * version with check-and-set, then custom_metadata is written naming that version.
 * That second write is the commit: readers follow the version it names, so a write
 * interrupted between the steps leaves the previous token intact and consistent.
 */
export class KvV2 implements KvEngine {
  readonly version = 2;

  constructor(
    private readonly client: VaultClient,
    private readonly mount: string,
    private readonly prefix: string,
  ) {}

  private readonly bases = new Map<string, string>();

  /** `<mount>/<kind>/<prefix>/...rest`, each segment encoded; the fixed part is encoded once. */
  private path(kind: 'data' | 'metadata' | 'destroy', ...rest: string[]): string {
    let base = this.bases.get(kind);
    if (base === undefined) this.bases.set(kind, (base = vaultPath(this.mount, kind, this.prefix)));
    return rest.length === 0 ? base : `${base}/${vaultPath(...rest)}`;
  }

  listFolder(namespace?: string): Promise<string[]> {
    return listKeys(this.client, this.path('metadata', ...(namespace === undefined ? [] : [namespace])));
  }

  private async state(key: TokenKey): Promise<KeyState | undefined> {
    const response = await this.client.request('GET', this.path('metadata', key.namespace, key.name));
    if (response.status === 404) return undefined;
    const data = (response.body?.data ?? {}) as { current_version?: number; custom_metadata?: Record<string, string> | null };
    const custom = data.custom_metadata ?? undefined;
    const committedVersion = Number(custom?.[VERSION_KEY]);
    const metadata = Number.isSafeInteger(committedVersion) && committedVersion > 0 ? decodeMetadata(key, custom) : undefined;
    return { currentVersion: data.current_version ?? 0, ...(metadata ? { metadata, committedVersion } : {}) };
  }

  async readMetadata(key: TokenKey): Promise<TokenMetadata | undefined> {
    return (await this.state(key))?.metadata;
  }

  async read(key: TokenKey): Promise<StoredToken | undefined> {
    // The committed version can be replaced between our two reads; follow it a few times.
    for (let attempt = 0; attempt < 3; attempt++) {
      const state = await this.state(key);
      if (!state?.metadata) return undefined;
      const response = await this.client.request('GET', `${this.path('data', key.namespace, key.name)}?version=${state.committedVersion}`);
      if (response.status === 404) continue;
      const secret = ((response.body?.data as { data?: Record<string, unknown> } | undefined)?.data ?? {}) as Record<string, unknown>;
      return { metadata: state.metadata, secret: stringFields(secret) };
    }
    throw vaultFailure(
      'corrupt',
      `token '${key.name}' in namespace '${key.namespace}' names a version that Vault no longer returns (deleted or destroyed in ${this.client.describePath(this.path('data', key.namespace, key.name))})`,
      'store the token again',
    );
  }

  async write(token: StoredToken): Promise<void> {
    const key = token.metadata;
    const dataPath = this.path('data', key.namespace, key.name);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(Math.min(10 * 2 ** attempt, 400) * Math.random());
      const state = await this.state(key);
      const response = await this.client.request('POST', dataPath, { options: { cas: state?.currentVersion ?? 0 }, data: token.secret }, { pass: [400] });
      if (response.status === 400) {
        if (vaultErrors(response.body).includes(CAS_MISMATCH)) continue;
        throw vaultFailure('no-access', `Vault rejected the write to ${this.client.describePath(dataPath)} (400: ${vaultErrors(response.body)})`);
      }
      const version = Number((response.body?.data as { version?: unknown } | undefined)?.version);
      if (!Number.isSafeInteger(version) || version < 1)
        throw vaultFailure('unavailable', `Vault's answer to the write to ${this.client.describePath(dataPath)} has no version number`);
      await this.commit(token, version);
      return;
    }
    throw vaultFailure(
      'conflict',
      `could not store token '${key.name}' in namespace '${key.namespace}': it changed under other writers ${MAX_CAS_ATTEMPTS} times in a row (check-and-set)`,
      'try again',
    );
  }

  private async commit(token: StoredToken, version: number): Promise<void> {
    const key = token.metadata;
    try {
      await this.client.request('POST', this.path('metadata', key.namespace, key.name), {
        custom_metadata: encodeMetadata(token.metadata, { [VERSION_KEY]: String(version) }),
      });
    } catch (error) {
      // The uncommitted version is never read, but it holds the new secret: destroy it if the policy allows.
      await this.client
        .request('POST', this.path('destroy', key.namespace, key.name), { versions: [version] }, { pass: [400, 403, 405] })
        .catch(() => undefined);
      throw error;
    }
  }

  async remove(key: TokenKey): Promise<boolean> {
    const state = await this.state(key);
    if (!state) return false;
    // Deleting the metadata removes every version of the secret.
    await this.client.request('DELETE', this.path('metadata', key.namespace, key.name));
    return state.metadata !== undefined;
  }
}
