// One contract, every backend: the encrypted file, the Secret Service (a real gnome-keyring on a
// private bus), HashiCorp Vault (the in-repo server, or a real Vault when VAULT_ADDR is set), and
// the in-memory store the unit tests use.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import type { BackendEnv } from '../../src/stores/backend.js';
import { EncryptedFileStore } from '../../src/stores/encrypted/store.js';
import { passphraseSource } from '../../src/stores/encrypted/passphrase.js';
import { secretServiceBackend } from '../../src/stores/keychain/descriptor.js';
import type { SecretStore } from '../../src/stores/store.js';
import { vaultBackend } from '../../src/stores/vault/descriptor.js';
import { type StoredToken } from '../../src/tokens/model.js';
import { startPrivateKeyring, type PrivateKeyring } from '../helpers/keyring.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { backendEnv, disableMount, freshKvMount, vaultTarget, type VaultTarget } from '../helpers/vault-target.js';
import { storeContract } from './contract.js';

const noPrompter = { secret: async () => '', confirm: async () => false };
const clearAll = async (store: SecretStore) => void (await store.delete(await store.list()));

let dir: string;
let keyring: PrivateKeyring;
let vault: VaultTarget;
let mount: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-cli-contract-'));
  [keyring, vault] = await Promise.all([startPrivateKeyring(), vaultTarget()]);
  mount = await freshKvMount(vault, 2);
  // The native binding (writes, deletes) reads the bus address from the process environment.
  process.env.DBUS_SESSION_BUS_ADDRESS = keyring.address;
});
afterAll(async () => {
  if (mount) await disableMount(vault, mount);
  await Promise.all([keyring?.stop(), vault?.close(), rm(dir, { recursive: true, force: true })]);
});

let files = 0;
storeContract('encrypted file', () => {
  const path = join(dir, `tokens-${files++}.enc`);
  const source = () => passphraseSource({ env: { MCP_CLI_ENCRYPTION_KEY: 'contract passphrase' }, prompter: noPrompter, canPrompt: false });
  return { open: async () => new EncryptedFileStore(path, source()), reset: async () => undefined, writers: 6 };
});

storeContract('Secret Service (gnome-keyring)', () => {
  const be = (): BackendEnv => ({
    env: { ...keyring.env, XDG_STATE_HOME: join(dir, 'state') },
    platform: 'linux',
    settings: {},
    prompter: noPrompter,
    canPrompt: false,
    stderr: new PassThrough(),
  });
  const open = () => secretServiceBackend.open(be());
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
