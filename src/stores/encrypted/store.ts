import { readFile } from 'node:fs/promises';
import { CliError } from '../../errors.js';
import { removeStaleTempFiles, writeFileAtomic } from '../../fs/atomic-write.js';
import { withFileLock } from '../../fs/lock.js';
import { keyOf, type StoredToken, type TokenKey, type TokenMetadata } from '../../tokens/model.js';
import type { SecretStore } from '../store.js';
import {
  createKey,
  decryptPayload,
  encodeFile,
  FileFormatError,
  parseEnvelope,
  rewrapKey,
  sameKey,
  unlockEnvelope,
  type Envelope,
  type UnlockedKey,
} from './format.js';
import type { PassphraseSource } from './passphrase.js';

interface Payload {
  tokens: StoredToken[];
}

const RETRY = Symbol('retry');

/** All tokens in one encrypted file; every change is a locked read-modify-write with an atomic replace. */
export class EncryptedFileStore implements SecretStore {
  readonly backend = 'encrypted' as const;
  private unlocked: UnlockedKey | undefined;
  private newKey: UnlockedKey | undefined;

  constructor(
    private readonly path: string,
    private readonly passphrase: PassphraseSource,
    readonly location: string = path,
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

  /** Creates or replaces several tokens in one locked write (used by import). */
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
    return this.mutate((tokens) => {
      const deleted: TokenKey[] = [];
      for (let i = tokens.length - 1; i >= 0; i--) {
        const { namespace, name } = tokens[i]!.metadata;
        if (wanted.has(keyOf({ namespace, name }))) {
          deleted.unshift({ namespace, name });
          tokens.splice(i, 1);
        }
      }
      return deleted;
    }, { skipWriteIf: (deleted) => deleted.length === 0 });
  }

  /** Re-wraps the data key under a new passphrase; the tokens are not re-encrypted with a new key. */
  async changePassphrase(newPassphrase: string): Promise<void> {
    if ((await this.readEnvelope()) === undefined) throw new CliError(`there is no token file at ${this.location} yet`);
    await this.mutate(() => undefined, { rekey: (key) => rewrapKey(key, newPassphrase) });
  }

  private async readEnvelope(): Promise<Envelope | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'EACCES') throw new CliError(`permission denied reading ${this.location}`);
      throw error;
    }
    return parseEnvelope(text, this.location);
  }

  private async unlock(envelope: Envelope): Promise<UnlockedKey> {
    if (!this.unlocked || !sameKey(this.unlocked, envelope)) {
      this.unlocked = await unlockEnvelope(envelope, await this.passphrase.get('unlock', this.location), this.location);
    }
    return this.unlocked;
  }

  private decode(envelope: Envelope, key: UnlockedKey): StoredToken[] {
    const plaintext = decryptPayload(envelope, key, this.location);
    try {
      const payload = JSON.parse(plaintext.toString('utf8')) as Payload;
      if (!Array.isArray(payload.tokens)) throw new Error('no token list');
      return payload.tokens;
    } catch {
      throw new FileFormatError(`${this.location} is corrupted (unreadable token list); it was left untouched`);
    }
  }

  private async readTokens(): Promise<StoredToken[]> {
    const envelope = await this.readEnvelope();
    if (!envelope) return [];
    return this.decode(envelope, await this.unlock(envelope));
  }

  /**
   * The slow part, the KDF, runs before the lock is taken, so concurrent writers
   * queue only for the short read-decrypt-encrypt-rename. If the file changed key
   * while we waited, we unlock again outside the lock and retry.
   */
  private async mutate<T>(
    change: (tokens: StoredToken[]) => T,
    options: { skipWriteIf?: (result: T) => boolean; rekey?: (key: UnlockedKey) => Promise<UnlockedKey> } = {},
  ): Promise<T> {
    for (;;) {
      const before = await this.readEnvelope();
      if (before) await this.unlock(before);
      else this.newKey ??= await createKey(await this.passphrase.get('create', this.location));

      const outcome = await withFileLock(`${this.path}.lock`, async () => {
        await removeStaleTempFiles(this.path);
        const envelope = await this.readEnvelope();
        let key: UnlockedKey;
        if (envelope) {
          if (!this.unlocked || !sameKey(this.unlocked, envelope)) return RETRY;
          key = this.unlocked;
        } else {
          if (!this.newKey) return RETRY;
          key = this.newKey;
        }
        const tokens = envelope ? this.decode(envelope, key) : [];
        const result = change(tokens);
        if (options.skipWriteIf?.(result)) return { result };
        if (options.rekey) key = await options.rekey(key);
        tokens.sort((a, b) => keyOf(a.metadata).localeCompare(keyOf(b.metadata)));
        await writeFileAtomic(this.path, encodeFile(key, Buffer.from(JSON.stringify({ tokens } satisfies Payload), 'utf8')));
        this.unlocked = key;
        return { result };
      });
      if (outcome !== RETRY) return outcome.result;
    }
  }
}
