import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { SecretStore } from '../stores/store.js';
import type { StoredToken, TokenKey } from '../tokens/model.js';
import { RESERVED_NAMESPACE } from '../tokens/reserved.js';

/** The last entry a `token audit --verify` found intact: a later log must still contain it. */
export interface Checkpoint {
  seq: number;
  hash: string;
  time: string;
}

/**
 * What anchors an audit log in the secure backend: the key of the MAC that every line and the
 * head record carry, and the last checkpoint. Someone who can write the log file but not the
 * backend can neither forge a line nor a head record.
 */
export interface AuditAnchor {
  /** Names the log (host and path), in head records. */
  readonly logId: string;
  /** Where the anchor lives, for messages: "the encrypted backend (~/.local/share/mcp-cli/tokens.enc)". */
  readonly label: string;
  /** The MAC key; undefined when the backend holds none yet. */
  key(): Promise<Buffer | undefined>;
  /** Creates the key. Call under the log's lock, after key() found none, so that concurrent writers agree on one. */
  createKey(): Promise<Buffer>;
  checkpoint(): Promise<Checkpoint | undefined>;
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>;
}

/** One log per host and path: a Vault shared by a team holds one anchor per machine's log. */
export function auditLogId(logPath: string): string {
  return createHash('sha256')
    .update(`${hostname()}\0${resolve(logPath)}`)
    .digest('hex')
    .slice(0, 32);
}

/** The anchor of the log at `logPath`, kept as a record in mcp-cli's reserved namespace of `store`. */
export function storeAnchor(store: SecretStore, logPath: string, now: () => Date): AuditAnchor {
  const logId = auditLogId(logPath);
  const key: TokenKey = { namespace: RESERVED_NAMESPACE, name: `audit-${logId}` };
  let loaded: Promise<StoredToken | undefined> | undefined;
  // The MAC key was read from the store: it goes when the store is locked, and is read again (or not) after.
  store.onLocked?.(() => (loaded = undefined));
  const load = (fresh = false) => {
    if (fresh || !loaded) loaded = store.get(key);
    return loaded;
  };
  const write = async (secret: Record<string, string>, previous?: StoredToken) => {
    const time = now().toISOString();
    const token: StoredToken = {
      metadata: {
        ...key,
        type: 'generic',
        createdAt: previous?.metadata.createdAt ?? time,
        updatedAt: time,
        details: { purpose: 'audit log anchor', log: resolve(logPath), host: hostname() },
      },
      secret,
    };
    await store.put(token);
    loaded = Promise.resolve(token);
  };
  return {
    logId,
    label: `the ${store.backend} backend (${store.location})`,
    async key() {
      const record = await load();
      return record?.secret.value ? Buffer.from(record.secret.value, 'base64') : undefined;
    },
    async createKey() {
      const existing = await load(true);
      if (existing?.secret.value) return Buffer.from(existing.secret.value, 'base64');
      const fresh = randomBytes(32);
      await write({ value: fresh.toString('base64') });
      return fresh;
    },
    async checkpoint() {
      const raw = (await load())?.secret.checkpoint;
      return raw ? (JSON.parse(raw) as Checkpoint) : undefined;
    },
    async saveCheckpoint(checkpoint) {
      const record = await load(true);
      if (!record?.secret.value) return;
      await write({ ...record.secret, checkpoint: JSON.stringify(checkpoint) }, record);
    },
  };
}
