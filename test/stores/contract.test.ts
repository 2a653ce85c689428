// One contract, every backend: the encrypted file, the OS keychain of this machine (on Linux a real
// gnome-keyring on a private bus; the macOS Keychain; the Windows Credential Manager), HashiCorp
// Vault (the in-repo server, or a real Vault when VAULT_ADDR is set), and the in-memory store the
// unit tests use.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { EncryptedFileStore } from '../../src/stores/encrypted/store.js';
import { passphraseSource } from '../../src/stores/encrypted/passphrase.js';
import { createQuickTokenFile } from '../helpers/seed-store.js';
import type { SecretStore } from '../../src/stores/store.js';
import { vaultBackend } from '../../src/stores/vault/descriptor.js';
import { type StoredToken } from '../../src/tokens/model.js';
import { startOsKeychain, type OsKeychain } from '../helpers/os-keychain.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { backendEnv, disableMount, freshKvMount, vaultTarget, type VaultTarget } from '../helpers/vault-target.js';
import { storeContract } from './contract.js';

const noPrompter = { secret: async () => '', confirm: async () => false, ask: async () => '' };
const clearAll = async (store: SecretStore) => void (await store.delete(await store.list()));

let dir: string;
let keychain: OsKeychain;
let vault: VaultTarget;
let mount: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-cli-contract-'));
  [keychain, vault] = await Promise.all([startOsKeychain(), vaultTarget()]);
  mount = await freshKvMount(vault, 2);
});
afterAll(async () => {
  if (mount) await disableMount(vault, mount);
  await Promise.all([keychain?.stop(), vault?.close(), rm(dir, { recursive: true, force: true })]);
});

let files = 0;
storeContract('encrypted file', () => {
  const dataHome = join(dir, `data-${files++}`);
  const passphrase = 'contract passphrase';
  const source = () => passphraseSource({ env: { MCP_CLI_ENCRYPTION_KEY: passphrase }, prompter: noPrompter, canPrompt: false });
  // The file exists first, under a cheap key derivation: the contract is about the store, not the derivation's cost.
  const created = createQuickTokenFile(dataHome, passphrase);
  return {
    open: async () => (await created, new EncryptedFileStore(join(dataHome, 'mcp-cli', 'tokens.enc'), source())),
    reset: async () => undefined,
    writers: 6,
  };
});

// The label is known only once the keychain has started: the platform's name stands for it here.
storeContract(`OS keychain (${process.platform})`, () => {
  const open = () => keychain.descriptor.open(keychain.backendEnv({ XDG_STATE_HOME: join(dir, 'state') }));
  return { open, reset: async () => clearAll(await open()) };
});

storeContract('HashiCorp Vault KV v2', () => {
  const open = () => vaultBackend.open(backendEnv(vault.env, { mount }));
  return { open, reset: async () => clearAll(await open()) };
});

storeContract('in memory', () => {
  const shared = new Map<string, StoredToken>();
  return { open: async () => new MemoryStore(shared), reset: async () => undefined };
});
