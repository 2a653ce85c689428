import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { StoreError } from '../errors.js';
import type { BackendName } from '../store.js';
import { TimeoutError, withTimeout } from './dbus-client.js';
import type { SecretServiceSession } from './secret-service.js';
import { joinChunks, parseChunkHead, partAccount, planChunks, type ChunkHead } from './chunks.js';

/** Raw string items of one keychain service, addressed by account. */
export interface KeyringItems {
  get(account: string): Promise<string | undefined>;
  set(account: string, value: string): Promise<void>;
  /** True when an item existed. */
  delete(account: string): Promise<boolean>;
}

export interface NativeOptions {
  backend: BackendName;
  service: string;
  platform: NodeJS.Platform;
  timeoutMs: number;
  /** Shown in errors: "Secret Service", "macOS Keychain", "Windows Credential Manager". */
  label: string;
}

/** Items through @napi-rs/keyring, pinned to the Secret Service on Linux (never the kernel keyring). */
export function nativeItems(options: NativeOptions): KeyringItems {
  const entryOptions = options.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
  let binding: typeof import('@napi-rs/keyring') | undefined;
  // Loaded on first use (listing may not need it), with require rather than import(): the binding
  // is CommonJS, and importing it from ESM makes Node scan its whole loader for exports first.
  const entry = (account: string) => {
    binding ??= createRequire(import.meta.url)('@napi-rs/keyring') as typeof import('@napi-rs/keyring');
    return new binding.AsyncEntry(options.service, account, entryOptions);
  };
  const guard = <T>(what: string, account: string, run: () => Promise<T>) => keychainCall(options, what, account, run);
  return {
    get: (account) => guard('read', account, async () => (await entry(account).getPassword()) ?? undefined),
    set: (account, value) => guard('write', account, () => entry(account).setPassword(value)),
    delete: (account) => guard('delete', account, () => entry(account).deleteCredential()),
  };
}

/**
 * Items through the probe's Secret Service connection: reads, writes and deletes on one
 * connection and one encrypted session, with no native binding to load.
 */
export function sessionItems(session: SecretServiceSession, options: NativeOptions): KeyringItems {
  return {
    get: (account) => keychainCall(options, 'read', account, () => session.read(options.service, account)),
    set: (account, value) => keychainCall(options, 'write', account, () => session.write(options.service, account, value)),
    delete: (account) => keychainCall(options, 'delete', account, () => session.remove(options.service, account)),
  };
}

/** Runs one keychain operation with a deadline; a failure names the item and says what to check. */
async function keychainCall<T>(options: NativeOptions, what: string, account: string, run: () => Promise<T>): Promise<T> {
  try {
    return await withTimeout(run(), options.timeoutMs);
  } catch (error) {
    const why = error instanceof TimeoutError ? `no answer within ${options.timeoutMs} ms` : (error as Error).message;
    throw new StoreError('unavailable', `the ${options.label} failed to ${what} item '${account}' of service '${options.service}': ${why}`, {
      backend: options.backend,
      remedy: 'check that the keychain is unlocked and that this program may use it',
    });
  }
}

/**
 * Values of any size on top of items with a size limit: a large value goes into parts under a
 * fresh id, and the main item, written last, points at them; so a reader sees the old value or
 * the new one, and the old parts are removed after the switch.
 */
export class ChunkedItems {
  constructor(
    private readonly items: KeyringItems,
    private readonly limit?: number,
  ) {}

  async get(account: string): Promise<string | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.items.get(account);
      if (stored === undefined) return undefined;
      const head = parseChunkHead(stored);
      if (!head) return stored;
      const value = joinChunks(head, await this.readParts(account, head));
      if (value !== undefined) return value;
      // Replaced by another process between reading the head and its parts: read again.
    }
    throw new StoreError('corrupt', `keychain item '${account}' is incomplete: some of its parts are missing`, {
      remedy: 'store the token again, or delete it',
    });
  }

  async set(account: string, value: string): Promise<void> {
    const old = await this.headOf(account);
    const plan = planChunks(account, value, randomBytes(4).toString('hex'), this.limit);
    for (const [part, piece] of plan.parts) await this.items.set(part, piece);
    await this.items.set(account, plan.head);
    if (old) await this.deleteParts(account, old);
  }

  async delete(account: string): Promise<boolean> {
    const old = await this.headOf(account);
    const existed = await this.items.delete(account);
    if (old) await this.deleteParts(account, old);
    return existed;
  }

  private async headOf(account: string): Promise<ChunkHead | undefined> {
    const stored = await this.items.get(account);
    return stored === undefined ? undefined : parseChunkHead(stored);
  }

  private readParts(account: string, head: ChunkHead): Promise<(string | undefined)[]> {
    return Promise.all(Array.from({ length: head.count }, (_, i) => this.items.get(partAccount(account, head.id, i + 1))));
  }

  private async deleteParts(account: string, head: ChunkHead): Promise<void> {
    for (let i = 1; i <= head.count; i++) await this.items.delete(partAccount(account, head.id, i));
  }
}
