import { join } from 'node:path';
import { EncryptedFileStore } from '../../src/stores/encrypted/store.js';
import type { StoredToken } from '../../src/tokens/model.js';

/** The encrypted store of a sandbox, opened directly: for tokens the CLI cannot create (OAuth). */
export function sandboxStore(dataHome: string, passphrase: string): EncryptedFileStore {
  return new EncryptedFileStore(join(dataHome, 'mcp-cli', 'tokens.enc'), { get: async () => passphrase });
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
