import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createKey, encodeFile, type UnlockedKey } from '../../src/stores/encrypted/format.js';
import { EncryptedFileStore } from '../../src/stores/encrypted/store.js';
import { DEFAULT_NAMESPACE, PRIMARY_SECRET_FIELD, type StoredToken, type TokenType } from '../../src/tokens/model.js';

/** The encrypted store of a sandbox, opened directly: for tokens the CLI cannot create (OAuth). */
export function sandboxStore(dataHome: string, passphrase: string): EncryptedFileStore {
  return new EncryptedFileStore(join(dataHome, 'mcp-cli', 'tokens.enc'), { get: async () => passphrase });
}

// One key per passphrase for every quick file this process makes: with the same salt, commands run
// in this process derive it once (the key cache in src/stores/encrypted/format.ts), not once per sandbox.
const quickKeys = new Map<string, Promise<UnlockedKey>>();

/**
 * Creates a sandbox's tokens.enc, with no token in it, under the lowest scrypt cost a file may
 * have (N=2^14; the CLI makes new files with 2^17): every spawned CLI then derives the key in a few
 * milliseconds instead of a large part of a second, and the CLI keeps the file's parameters when
 * it writes. For tests whose subject is not the creation of the file or its key derivation.
 */
export async function createQuickTokenFile(dataHome: string, passphrase: string): Promise<void> {
  await writeQuickTokenFile(join(dataHome, 'mcp-cli', 'tokens.enc'), passphrase);
}

/** The same at any path (a token file configured elsewhere), its missing folders made 0700. */
export async function writeQuickTokenFile(path: string, passphrase: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let key = quickKeys.get(passphrase);
  if (!key) quickKeys.set(passphrase, (key = createKey(passphrase, { N: 2 ** 14, r: 8, p: 1 })));
  await writeFile(path, encodeFile(await key, Buffer.from(JSON.stringify({ tokens: [] }), 'utf8')), { mode: 0o600 });
}

export function oauthToken(server: string, accessToken: string, expiresAt: Date, now = new Date()): StoredToken {
  return {
    metadata: {
      name: server,
      namespace: 'oauth',
      type: 'oauth',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
      details: { tokenType: 'Bearer', scope: 'read', issuedAt: now.toISOString() },
    },
    secret: { accessToken, refreshToken: `${accessToken}-refresh` },
  };
}

/** A token as `mcp-cli token set NAME --type TYPE` stores it: the type's namespace, no provider, no details. */
export function plainToken(type: TokenType, name: string, value: string, now = new Date()): StoredToken {
  return {
    metadata: { name, namespace: DEFAULT_NAMESPACE[type], type, createdAt: now.toISOString(), updatedAt: now.toISOString(), details: {} },
    secret: { [PRIMARY_SECRET_FIELD[type]]: value },
  };
}

/**
 * Puts tokens into a sandbox's token file from this process (one key derivation): for setup that
 * is not the test's subject, where a `token set` each would cost a CLI process.
 */
export async function seedTokens(dataHome: string, passphrase: string, tokens: StoredToken[]): Promise<void> {
  await sandboxStore(dataHome, passphrase).putMany(tokens);
}
