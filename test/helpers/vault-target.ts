// Where the Vault tests run: a real Vault when VAULT_ADDR is set in the test run's
// environment (with VAULT_TOKEN or ~/.vault-token, and the usual VAULT_* TLS variables),
// else the in-repo server on 127.0.0.1.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { VaultSettings } from '../../src/config/vault-settings.js';
import type { BackendEnv } from '../../src/stores/backend.js';
import { VaultClient, type VaultResponse } from '../../src/stores/vault/client.js';
import { resolveConnection, resolveToken } from '../../src/stores/vault/connection.js';
import { startVaultServer, type VaultServer } from './vault-server/server.js';

export interface VaultTarget {
  kind: 'real Vault' | 'in-repo server';
  /** VAULT_* variables that reach this Vault with an administrative token. */
  env: Record<string, string>;
  /** Only for the in-repo server. */
  server?: VaultServer;
  /** A request with the administrative token (mount setup, raw writes). */
  admin(method: 'GET' | 'LIST' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<VaultResponse>;
  close(): Promise<void>;
}

const PASSED_THROUGH = [
  'VAULT_ADDR',
  'VAULT_TOKEN',
  'VAULT_NAMESPACE',
  'VAULT_CACERT',
  'VAULT_CAPATH',
  'VAULT_CLIENT_CERT',
  'VAULT_CLIENT_KEY',
  'VAULT_SKIP_VERIFY',
];

export async function vaultTarget(): Promise<VaultTarget> {
  let server: VaultServer | undefined;
  let env: Record<string, string>;
  if (process.env.VAULT_ADDR) {
    env = {};
    for (const name of PASSED_THROUGH) if (process.env[name]) env[name] = process.env[name]!;
    if (!env.VAULT_TOKEN) {
      const token = await resolveToken({ HOME: process.env.HOME });
      if (!token)
        throw new Error(
          'VAULT_ADDR is set for the contract tests, but there is no VAULT_TOKEN and no ~/.vault-token: set VAULT_TOKEN to a token allowed to mount secrets engines',
        );
      env.VAULT_TOKEN = token.value;
    }
  } else {
    server = await startVaultServer();
    env = { VAULT_ADDR: server.address, VAULT_TOKEN: server.rootToken };
  }
  const connection = await resolveConnection({}, env);
  const client = new VaultClient(connection, { value: env.VAULT_TOKEN!, source: 'VAULT_TOKEN' });
  return {
    kind: server ? 'in-repo server' : 'real Vault',
    env,
    server,
    admin: (method, path, body) => client.request(method, path, body, { pass: [400, 403, 404] }),
    async close() {
      client.close();
      await server?.close();
    },
  };
}

/** Enables a fresh KV mount with a unique name; returns its path. */
export async function freshKvMount(target: VaultTarget, version: 1 | 2): Promise<string> {
  const path = `mcp-cli-test-${randomUUID().slice(0, 8)}-v${version}`;
  const r = await target.admin('POST', `sys/mounts/${path}`, { type: 'kv', options: { version: String(version) } });
  if (r.status !== 204 && r.status !== 200)
    throw new Error(`could not enable a KV v${version} mount at ${path} on the ${target.kind} (${r.status}): the token needs sudo on sys/mounts/*`);
  return path;
}

export async function disableMount(target: VaultTarget, path: string): Promise<void> {
  await target.admin('DELETE', `sys/mounts/${path}`);
}

const noPrompter = {
  secret: async () => {
    throw new Error('no prompt in tests');
  },
  confirm: async () => false,
  ask: async () => {
    throw new Error('no prompt in tests');
  },
};

export function backendEnv(env: Record<string, string | undefined>, vault: VaultSettings = {}): BackendEnv {
  return { env, platform: process.platform, settings: { vault }, prompter: noPrompter, canPrompt: false, stderr: new PassThrough() };
}
