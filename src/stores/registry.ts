import type { BackendDescriptor } from './backend.js';
import { encryptedBackend } from './encrypted/descriptor.js';
import { macosKeychainBackend, secretServiceBackend, windowsCredentialManagerBackend } from './keychain/descriptor.js';
import type { BackendName } from './store.js';

function notYetAvailable(name: BackendName, detail: string): BackendDescriptor {
  return {
    name,
    autoRole: () => 'skip',
    probe: async () => ({ available: false, detail }),
    open: async () => {
      throw new Error(detail);
    },
  };
}

/** Every backend, in the order automatic selection considers them. */
export const BACKENDS: readonly BackendDescriptor[] = [
  notYetAvailable('vault', 'HashiCorp Vault support is not part of this build'),
  macosKeychainBackend,
  windowsCredentialManagerBackend,
  secretServiceBackend,
  encryptedBackend,
];
