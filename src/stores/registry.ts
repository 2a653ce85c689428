import type { BackendDescriptor } from './backend.js';
import { encryptedBackend } from './encrypted/descriptor.js';
import { macosKeychainBackend, secretServiceBackend, windowsCredentialManagerBackend } from './keychain/descriptor.js';
import { vaultBackend } from './vault/descriptor.js';

/** Every backend, in the order automatic selection considers them. */
export const BACKENDS: readonly BackendDescriptor[] = [
  vaultBackend,
  macosKeychainBackend,
  windowsCredentialManagerBackend,
  secretServiceBackend,
  encryptedBackend,
];
