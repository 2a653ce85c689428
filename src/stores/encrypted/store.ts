import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { removeStaleTempFiles, writeFileAtomic } from '../../fs/atomic-write.js';
import { fsFailure } from '../../fs/errors.js';
import { withFileLock } from '../../fs/lock.js';
import { keyOf, type StoredToken, type TokenKey, type TokenMetadata } from '../../tokens/model.js';
import { isReserved } from '../../tokens/reserved.js';
import { StoreError, type StoreErrorKind } from '../errors.js';
import type { SecretStore } from '../store.js';
import { createKey, decryptPayload, encodeFile, keyIdentity, parseEnvelope, sameKey, unlockEnvelope, type Envelope, type UnlockedKey } from './format.js';
import type { PassphraseSource } from './passphrase.js';

interface Payload {
  tokens: StoredToken[];
}

/**
 * Where an unlocked data key may be found without a passphrase (the unlock agent): the key, and
 * `ended`, which resolves when the session that lent it is over (lock, timeout): the key must then
 * be dropped.
 */
export interface KeyCache {
  get(identity: string): Promise<{ key: Buffer; ended: Promise<void> } | undefined>;
}

/** A data key and the name it is held under in an unlock session. */
export interface IdentifiedKey {
  identity: string;
  dataKey: Buffer;
  /** The file, for humans. */
  label: string;
}

const RETRY = Symbol('retry');

const isNotFound = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

const fileError = (kind: StoreErrorKind, message: string, remedy?: string) => new StoreError(kind, message, { backend: 'encrypted', remedy });

/**
 * All tokens in one encrypted file; every change is a locked read-modify-write with an atomic
 * replace. A `tokens.enc` that is a symbolic link is followed: read through, and its target
 * is what the rename replaces, so the link stays. A link to nothing is an error, never an empty store.
 */
export class EncryptedFileStore implements SecretStore {
  readonly backend = 'encrypted' as const;
  private unlocked: (UnlockedKey & { fromCache?: boolean }) | undefined;
  private newFilePassphrase: string | undefined;
  private decoded: { text: string; tokens: StoredToken[] } | undefined;
  private cacheRefused = false;
  private readonly lockListeners: (() => void)[] = [];
  private lentKeyEnded = false;

  constructor(
    private readonly path: string,
    private readonly passphrase: PassphraseSource,
    readonly location: string = path,
    private readonly keyCache?: KeyCache,
  ) {}

  async list(namespace?: string): Promise<TokenMetadata[]> {
    const tokens = await this.readTokens();
    return tokens.filter((t) => namespace === undefined || t.metadata.namespace === namespace).map((t) => t.metadata);
  }

  async get(key: TokenKey): Promise<StoredToken | undefined> {
    const tokens = await this.readTokens();
    return tokens.find((t) => keyOf(t.metadata) === keyOf(key));
  }

  async put(token: StoredToken): Promise<void> {
    await this.putMany([token]);
  }

  /** Creates or replaces several tokens in one locked write (used by import and migrate). */
  async putMany(incoming: StoredToken[]): Promise<void> {
    await this.mutate((tokens) => {
      for (const token of incoming) {
        const index = tokens.findIndex((t) => keyOf(t.metadata) === keyOf(token.metadata));
        if (index >= 0) tokens[index] = token;
        else tokens.push(token);
      }
    });
  }

  async delete(keys: TokenKey[]): Promise<TokenKey[]> {
    if ((await this.readEnvelope()) === undefined) return [];
    const wanted = new Set(keys.map(keyOf));
    return this.mutate(
      (tokens) => {
        const deleted: TokenKey[] = [];
        for (let i = tokens.length - 1; i >= 0; i--) {
          const { namespace, name } = tokens[i]!.metadata;
          if (wanted.has(keyOf({ namespace, name }))) {
            deleted.unshift({ namespace, name });
            tokens.splice(i, 1);
          }
        }
        return deleted;
      },
      { skipWriteIf: (deleted) => deleted.length === 0 },
    );
  }

  /**
   * Re-encrypts every token under a new random data key, wrapped under the new passphrase with
   * a new salt: an old copy of the file and the old passphrase open nothing written afterwards.
   * The current passphrase is always asked for (an unlock session does not stand in for it).
   * Returns the identities of the key before and after.
   */
  async changePassphrase(newPassphrase: string): Promise<{ before: string; after: IdentifiedKey }> {
    const envelope = await this.readEnvelope();
    if (envelope === undefined) throw this.noFileYet();
    const current = await this.unlock(envelope, { useCache: false });
    const before = keyIdentity(this.target(), current.kdf, current.wrappedKey);
    const { N, r, p } = envelope.kdf;
    const next = await createKey(newPassphrase, { N, r, p });
    await this.mutate(() => undefined, { rekey: next });
    return { before, after: { identity: keyIdentity(this.target(), next.kdf, next.wrappedKey), dataKey: next.dataKey, label: this.location } };
  }

  /** Unlocks the file with its passphrase (never from the cache) and returns the data key, for an unlock session. */
  async unlockWithPassphrase(): Promise<IdentifiedKey> {
    const envelope = await this.readEnvelope();
    if (envelope === undefined) throw this.noFileYet();
    const key = await this.unlock(envelope, { useCache: false });
    this.decode(envelope, key);
    return { identity: keyIdentity(this.target(), key.kdf, key.wrappedKey), dataKey: key.dataKey, label: this.location };
  }

  private noFileYet(): StoreError {
    return fileError('not-found', `there is no token file at ${this.location} yet`, 'store a token first; the file is created then');
  }

  /** The identity of the file's current key, or undefined when there is no file. Needs no passphrase. */
  async identity(): Promise<string | undefined> {
    const envelope = await this.readEnvelope();
    return envelope && keyIdentity(this.target(), envelope.kdf, envelope.key);
  }

  /** Deletes the file when it holds no tokens (records of mcp-cli's own do not count); true when it did. */
  async removeIfEmpty(): Promise<boolean> {
    const target = this.target();
    const before = await this.readEnvelope();
    if (before === undefined) return false;
    await this.unlock(before);
    return withFileLock(`${target}.lock`, async () => {
      const envelope = await this.readEnvelope();
      if (!envelope || !this.unlocked || !sameKey(this.unlocked, envelope)) return false;
      if (this.decode(envelope, this.unlocked).some((t) => !isReserved(t.metadata))) return false;
      await unlink(target).catch((error: unknown) => {
        throw fsFailure(error, 'remove', this.location);
      });
      return true;
    });
  }

  /** The file that is read and replaced: the path itself, or the target of its symbolic link. */
  private target(): string {
    let link: boolean;
    try {
      link = lstatSync(this.path).isSymbolicLink();
    } catch (error) {
      if (isNotFound(error)) return this.path;
      throw fsFailure(error, 'read', this.location);
    }
    if (!link) return this.path;
    try {
      return realpathSync(this.path);
    } catch (error) {
      if (!isNotFound(error)) throw fsFailure(error, 'follow the symbolic link', this.location);
      let points = 'a missing file';
      try {
        points = readlinkSync(this.path);
      } catch {
        // keep the generic wording
      }
      throw fileError(
        'io',
        `${this.location} is a symbolic link to ${points}, which does not exist; nothing was read or written`,
        'bring back the file it points to (is its volume mounted?), or remove the link to start a new token file',
      );
    }
  }

  private async readText(): Promise<string | undefined> {
    try {
      return await readFile(this.target(), 'utf8');
    } catch (error) {
      if (isNotFound(error)) {
        // Gone between the check and the read, or a link that now leads nowhere: ask again.
        this.target();
        return undefined;
      }
      throw fsFailure(error, 'read', this.location);
    }
  }

  private async readEnvelope(): Promise<Envelope | undefined> {
    const text = await this.readText();
    return text === undefined ? undefined : parseEnvelope(text, this.location);
  }

  /** Calls `listener` whenever the store lets go of what an unlock session gave it, so that copies of decrypted values are dropped too. */
  onLocked(listener: () => void): void {
    this.lockListeners.push(listener);
  }

  /**
   * The unlock session that lent `key` is over: the key is zeroed and forgotten with every token
   * decrypted under it. Whatever needs the file next asks for a key again (a new session, the
   * variable, a prompt) or fails; nothing is written with this one any more.
   */
  private sessionEnded(key: UnlockedKey): void {
    this.lentKeyEnded = true;
    if (this.unlocked === key) {
      this.unlocked = undefined;
      this.decoded = undefined;
      for (const listener of this.lockListeners) listener();
    }
    key.dataKey.fill(0);
  }

  private async unlock(envelope: Envelope, options: { useCache?: boolean } = {}): Promise<UnlockedKey> {
    if (this.unlocked && sameKey(this.unlocked, envelope) && (options.useCache !== false || !this.unlocked.fromCache)) return this.unlocked;
    if (options.useCache !== false && !this.cacheRefused && this.keyCache) {
      const lent = await this.keyCache.get(keyIdentity(this.target(), envelope.kdf, envelope.key));
      if (lent) {
        const key = { kdf: envelope.kdf, wrappedKey: envelope.key, dataKey: lent.key, fromCache: true };
        void lent.ended.then(() => this.sessionEnded(key));
        return (this.unlocked = key);
      }
    }
    for (;;) {
      const passphrase = await this.passphrase.get('unlock', this.location).catch((error: unknown) => {
        // Said first when it is why: the process ran on a session that is over.
        if (this.lentKeyEnded && error instanceof StoreError && error.kind === 'locked')
          throw new StoreError('locked', `the unlock session ended: ${error.message}`, { backend: 'encrypted' });
        throw error;
      });
      try {
        return (this.unlocked = await unlockEnvelope(envelope, passphrase, this.location));
      } catch (error) {
        if (!(error instanceof StoreError && error.kind === 'wrong-passphrase') || !this.passphrase.rejected?.()) throw error;
      }
    }
  }

  private decode(envelope: Envelope, key: UnlockedKey): StoredToken[] {
    const plaintext = decryptPayload(envelope, key, this.location);
    try {
      const payload = JSON.parse(plaintext.toString('utf8')) as Payload;
      if (!Array.isArray(payload.tokens)) throw new Error('no token list');
      return payload.tokens;
    } catch {
      throw fileError('corrupt', `${this.location} is corrupted (unreadable token list); it was left untouched`);
    }
  }

  /** Decodes with the unlocked key. A key from the cache that does not fit is dropped, and the passphrase asked instead. */
  private decodeOrDropCached(envelope: Envelope, key: UnlockedKey): StoredToken[] | typeof RETRY {
    try {
      return this.decode(envelope, key);
    } catch (error) {
      if (!this.unlocked?.fromCache) throw error;
      this.unlocked = undefined;
      this.cacheRefused = true;
      return RETRY;
    }
  }

  private async readTokens(): Promise<StoredToken[]> {
    const text = await this.readText();
    if (text === undefined) return [];
    if (this.decoded?.text === text) return this.decoded.tokens;
    const envelope = parseEnvelope(text, this.location);
    let tokens = this.decodeOrDropCached(envelope, await this.unlock(envelope));
    if (tokens === RETRY) tokens = this.decode(envelope, await this.unlock(envelope));
    this.decoded = { text, tokens };
    return tokens;
  }

  /**
   * The slow part, the KDF, runs before the lock is taken, so concurrent writers
   * queue only for the short read-decrypt-encrypt-rename. If the file changed key
   * while we waited, we unlock again outside the lock and retry. A new file's key is the
   * exception: derived under the lock (its passphrase asked before), so that processes
   * creating the file at once derive it once, and the others only the key of the file made.
   */
  private async mutate<T>(change: (tokens: StoredToken[]) => T, options: { skipWriteIf?: (result: T) => boolean; rekey?: UnlockedKey } = {}): Promise<T> {
    for (;;) {
      const before = await this.readEnvelope();
      if (before) await this.unlock(before);
      else this.newFilePassphrase ??= await this.passphrase.get('create', this.location);

      const target = this.target();
      const outcome = await withFileLock(`${target}.lock`, async () => {
        await removeStaleTempFiles(target);
        const envelope = await this.readEnvelope();
        let key: UnlockedKey;
        if (envelope) {
          if (!this.unlocked || !sameKey(this.unlocked, envelope)) return RETRY;
          key = this.unlocked;
        } else {
          if (this.newFilePassphrase === undefined || options.rekey) return RETRY;
          key = await createKey(this.newFilePassphrase);
        }
        const tokens = envelope ? this.decodeOrDropCached(envelope, key) : [];
        if (tokens === RETRY) return RETRY;
        const result = change(tokens);
        if (options.skipWriteIf?.(result)) return { result };
        if (options.rekey) key = options.rekey;
        tokens.sort((a, b) => keyOf(a.metadata).localeCompare(keyOf(b.metadata)));
        await writeFileAtomic(target, encodeFile(key, Buffer.from(JSON.stringify({ tokens } satisfies Payload), 'utf8')), this.location);
        // A new file's key or a new passphrase's; the key in use stays (or is gone, if its session ended meanwhile).
        if (!envelope || options.rekey) this.unlocked = key;
        this.newFilePassphrase = undefined;
        return { result };
      });
      if (outcome !== RETRY) return outcome.result;
      if (options.rekey && !(await this.readEnvelope())) throw fileError('conflict', `${this.location} disappeared while its passphrase was being changed`);
    }
  }
}
