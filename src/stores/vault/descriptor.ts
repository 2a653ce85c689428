import type { BackendDescriptor } from '../backend.js';

/** HashiCorp Vault: claimed by auto selection when VAULT_ADDR and VAULT_TOKEN are both set. */
export const vaultBackend: BackendDescriptor = {
  name: 'vault',
  autoRole: (be) => (be.env.VAULT_ADDR && be.env.VAULT_TOKEN ? 'claim' : 'skip'),
  probe: async (be) => (await import('./probe.js')).probeVault(be),
  open: async (be) => (await import('./probe.js')).openVault(be),
};
