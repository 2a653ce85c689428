import type { BackendDescriptor } from './backend.js';
import { encryptedBackend } from './encrypted/descriptor.js';
import { vaultBackend } from './vault/descriptor.js';
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
  vaultBackend,
  notYetAvailable('keychain', 'OS keychain support is not part of this build'),
  notYetAvailable('credential-manager', 'OS keychain support is not part of this build'),
  notYetAvailable('secret-service', 'OS keychain support is not part of this build'),
  encryptedBackend,
];
