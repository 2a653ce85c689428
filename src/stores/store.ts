import type { StoredToken, TokenKey, TokenMetadata } from '../tokens/model.js';

export const BACKEND_NAMES = ['keychain', 'credential-manager', 'secret-service', 'vault', 'encrypted'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * One storage backend. Implementations keep metadata listable without reading
 * secret values, never log values, and throw a StoreError with a specific message
 * (never containing a value) when they cannot do what was asked.
 */
export interface SecretStore {
  readonly backend: BackendName;
  /** Where the tokens live, for humans: a file path, a keyring service, a Vault path. */
  readonly location: string;
  list(namespace?: string): Promise<TokenMetadata[]>;
  /** Which tokens exist, where a store can tell more cheaply than by listing their metadata. */
  keys?(): Promise<TokenKey[]>;
  get(key: TokenKey): Promise<StoredToken | undefined>;
  /** Creates or replaces the token with the same namespace and name. */
  put(token: StoredToken): Promise<void>;
  /** Creates or replaces several tokens, where a store can do that in one step. */
  putMany?(tokens: StoredToken[]): Promise<void>;
  /** Deletes the given tokens; returns the keys that existed and are now gone. */
  delete(keys: TokenKey[]): Promise<TokenKey[]>;
  /**
   * Where a store can be locked while a process runs (the encrypted file's unlock session ends):
   * calls `listener` then, so that copies of values read from it are dropped too.
   */
  onLocked?(listener: () => void): void;
}
