import type { BackendDescriptor } from '../backend.js';

/**
 * HashiCorp Vault: claimed by auto selection when VAULT_ADDR and VAULT_TOKEN are both set, or when the
 * trusted config names a login (tokenStorage.vault.auth), which only makes sense for Vault.
 */
export const vaultBackend: BackendDescriptor = {
  name: 'vault',
  autoRole: (be) => ((be.env.VAULT_ADDR && be.env.VAULT_TOKEN) || (be.settings.vault?.auth && be.settings.vault.auth.method !== 'token') ? 'claim' : 'skip'),
  claimedBy: (be) => (be.env.VAULT_ADDR && be.env.VAULT_TOKEN ? 'VAULT_ADDR and VAULT_TOKEN' : 'tokenStorage.vault.auth'),
  probe: async (be) => (await import('./probe.js')).probeVault(be),
  open: async (be) => (await import('./probe.js')).openVault(be),
};
