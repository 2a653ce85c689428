import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKey, encodeFile } from '../../src/stores/encrypted/format.js';
import { EncryptedFileStore } from '../../src/stores/encrypted/store.js';
import { DEFAULT_NAMESPACE, PRIMARY_SECRET_FIELD, type StoredToken, type TokenType } from '../../src/tokens/model.js';

/** The encrypted store of a sandbox, opened directly: for tokens the CLI cannot create (OAuth). */
export function sandboxStore(dataHome: string, passphrase: string): EncryptedFileStore {
  return new EncryptedFileStore(join(dataHome, 'mcp-cli', 'tokens.enc'), { get: async () => passphrase });
}

/**
 * Creates a sandbox's tokens.enc, with no token in it, under the lowest scrypt cost a file may
 * have (N=2^14; the CLI makes new files with 2^17): every spawned CLI then derives the key in a few
 * milliseconds instead of a large part of a second, and the CLI keeps the file's parameters when
 * it writes. For tests whose subject is not the creation of the file or its key derivation.
 */
export async function createQuickTokenFile(dataHome: string, passphrase: string): Promise<void> {
  const dir = join(dataHome, 'mcp-cli');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = await createKey(passphrase, { N: 2 ** 14, r: 8, p: 1 });
  await writeFile(join(dir, 'tokens.enc'), encodeFile(key, Buffer.from(JSON.stringify({ tokens: [] }), 'utf8')), { mode: 0o600 });
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
