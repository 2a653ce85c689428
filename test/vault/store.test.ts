// Behaviour that needs the in-repo server's instruments: its request log, injected
// faults, sealing, expiring tokens and policies.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CliError } from '../../src/errors.js';
import { storeErrorToCli } from '../../src/commands/shared/store-errors.js';
import { StoreError } from '../../src/stores/errors.js';
import type { VaultSettings } from '../../src/config/vault-settings.js';
import { vaultBackend } from '../../src/stores/vault/descriptor.js';
import type { StoredToken } from '../../src/tokens/model.js';
import { backendEnv } from '../helpers/vault-target.js';
import { startVaultServer, type VaultServer } from '../helpers/vault-server/server.js';

let vault: VaultServer;
let env: Record<string, string>;

beforeAll(async () => {
  vault = await startVaultServer();
  env = { VAULT_ADDR: vault.address, VAULT_TOKEN: vault.rootToken };
});
afterAll(async () => {
  await vault.close();
});
beforeEach(() => {
  vault.sealed = false;
  vault.clearFaults();
  vault.clearLog();
});

const bearer = (namespace: string, name: string, value: string): StoredToken => ({
  metadata: { name, namespace, type: 'bearer', createdAt: '2026-11-26T10:00:00.000Z', updatedAt: '2026-11-26T10:00:00.000Z', details: {} },
  secret: { token: value },
});

const open = (e: Record<string, string | undefined> = env, settings: VaultSettings = {}) => vaultBackend.open(backendEnv(e, settings));
const probe = (e: Record<string, string | undefined> = env, settings: VaultSettings = {}) => vaultBackend.probe(backendEnv(e, settings));

/** The store's error, as the CLI reports it. */
async function failure(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return storeErrorToCli(error as StoreError);
}

describe('listing', () => {
  it('lists 1000 tokens from metadata alone, with a bounded number of requests in flight', async () => {
    const store = await open(env, { pathPrefix: 'big' });
    const tokens = Array.from({ length: 1000 }, (_, i) => bearer(`ns-${i % 4}`, `token-${i}`, `secret-${i}`));
    const writer = await open(env, { pathPrefix: 'big' });
    await Promise.all(tokens.map((t) => writer.put(t)));
    vault.clearLog();
    vault.latencyMs = 1; // a round trip long enough for requests to overlap
    const listed = await store.list().finally(() => (vault.latencyMs = 0));
    expect(listed).toHaveLength(1000);
    expect(new Set(listed.map((m) => `${m.namespace}/${m.name}`)).size).toBe(1000);
    expect(vault.requests.filter((r) => r.path.includes('/data/'))).toEqual([]);
    expect(vault.requests.filter((r) => r.method === 'LIST')).toHaveLength(5);
    expect(vault.maxInFlight).toBeGreaterThan(1);
    expect(vault.maxInFlight).toBeLessThanOrEqual(32);
  });

  it('uses the configured mount and path prefix', async () => {
    vault.enableKv('team-kv', 2);
    const store = await open(env, { mount: 'team-kv', pathPrefix: 'tools/mcp' });
    await store.put(bearer('team', 'prefixed', 'v'));
    expect(vault.requests.some((r) => r.method === 'POST' && r.path === 'team-kv/data/tools/mcp/team/prefixed')).toBe(true);
    expect(store.location).toContain('team-kv/ (KV v2), path tools/mcp/');
  });
});

describe('writes', () => {
  it('re-reads and retries when check-and-set finds a newer version', async () => {
    const store = await open();
    await store.put(bearer('team', 'cas', 'one'));
    vault.clearLog();
    vault.inject({
      status: 400,
      times: 1,
      pathIncludes: 'secret/data/mcp-cli/team/cas',
      errors: ['check-and-set parameter did not match the current version'],
    });
    await store.put(bearer('team', 'cas', 'two'));
    expect(vault.requests.filter((r) => r.method === 'POST' && r.path.includes('/data/'))).toHaveLength(2);
    expect(vault.requests.filter((r) => r.method === 'GET' && r.path.includes('/metadata/'))).toHaveLength(2);
    expect((await store.get({ namespace: 'team', name: 'cas' }))?.secret.token).toBe('two');
  });

  it('leaves the previous token intact when the metadata commit is denied, and destroys the orphaned version', async () => {
    const root = await open();
    await root.put(bearer('team', 'guarded', 'old-value'));
    vault.addPolicy('data-only', [
      { path: 'secret/data/mcp-cli/*', capabilities: ['create', 'read', 'update'] },
      { path: 'secret/metadata/mcp-cli/*', capabilities: ['read', 'list'] },
      { path: 'secret/destroy/mcp-cli/*', capabilities: ['update'] },
    ]);
    const limited = await open({ ...env, VAULT_TOKEN: vault.createToken({ policies: ['data-only'] }) });
    const error = await failure(limited.put(bearer('team', 'guarded', 'new-value')));
    expect(error.message).toContain('Vault denied access to secret/metadata/mcp-cli/team/guarded: permission denied');
    expect(error.message).toContain("lacks 'create/update'");
    expect(error.message).not.toContain('new-value');
    expect((await root.get({ namespace: 'team', name: 'guarded' }))?.secret.token).toBe('old-value');
    const admin = await fetch(`${vault.address}/v1/secret/metadata/mcp-cli/team/guarded`, { headers: { 'X-Vault-Token': vault.rootToken } });
    const versions = ((await admin.json()) as { data: { versions: Record<string, { destroyed: boolean }> } }).data.versions;
    expect(versions['2']?.destroyed).toBe(true);
  });

  it('names the path and the missing capability on a 403', async () => {
    vault.addPolicy('read-only', [{ path: 'secret/*', capabilities: ['read', 'list'] }]);
    const store = await open({ ...env, VAULT_TOKEN: vault.createToken({ policies: ['read-only'] }) });
    const error = await failure(store.put(bearer('team', 'denied', 'v')));
    expect(error.message).toBe(
      "Vault denied access to secret/data/mcp-cli/team/denied: permission denied; the Vault token's policy lacks 'create/update' on this path",
    );
    expect(error.hint).toMatch(/policy/);
  });
});

describe('retries', () => {
  it.each([412, 429, 503])('retries a %i and succeeds when it clears', async (status) => {
    const store = await open();
    vault.clearLog();
    vault.inject({
      status,
      times: 2,
      pathIncludes: 'secret/metadata/mcp-cli/retry/',
      errors: status === 429 ? ['request path "secret/metadata": rate limit quota exceeded'] : [],
    });
    expect(await store.list('retry')).toEqual([]);
    expect(vault.requests.filter((r) => r.path.startsWith('secret/metadata/mcp-cli/retry'))).toHaveLength(3);
  });

  it.each([
    [412, /could not serve secret\/metadata\/mcp-cli\/retry\/ consistently \(412\) \(after 4 attempts\)/],
    [429, /rate-limited the request for secret\/metadata\/mcp-cli\/retry\/ \(429\) \(after 4 attempts\)/],
    [503, /is unavailable \(503\) \(after 4 attempts\)/],
  ])('gives up on a %i after a bounded number of attempts', async (status, message) => {
    const store = await open();
    vault.clearLog();
    vault.inject({ status, times: 10, pathIncludes: 'secret/metadata/mcp-cli/retry/', retryAfter: '0' });
    const error = await failure(store.list('retry'));
    expect(error.message).toMatch(message);
    expect(vault.requests.filter((r) => r.path.startsWith('secret/metadata/mcp-cli/retry'))).toHaveLength(4);
  });
});

describe('availability and its reasons', () => {
  it('reports a sealed Vault', async () => {
    vault.sealed = true;
    expect(await probe()).toEqual({
      available: false,
      detail: `Vault at ${vault.address} is sealed (after 4 attempts) (unseal it (\`vault operator unseal\`) or ask your Vault operator)`,
      auth: { method: 'token' },
    });
  });

  it('reports a sealed Vault in the middle of work', async () => {
    const store = await open();
    vault.sealed = true;
    expect((await failure(store.list())).message).toBe(`Vault at ${vault.address} is sealed (after 4 attempts)`);
  });

  it('reports an expired token, and a revoked or unknown one, without showing it', async () => {
    const token = vault.createToken({ policies: [], ttlSeconds: 3600 });
    expect((await probe({ ...env, VAULT_TOKEN: token }, { kvVersion: 2 })).available).toBe(true);
    vault.expireToken(token);
    const availability = await probe({ ...env, VAULT_TOKEN: token }, { kvVersion: 2 });
    expect(availability.detail).toBe(
      `Vault at ${vault.address} rejected the token from VAULT_TOKEN: it is invalid, expired or revoked (permission denied on auth/token/lookup-self)`,
    );
    expect(availability.detail).not.toContain(token);
  });

  it("reports a missing token, and reads ~/.vault-token as Vault's CLI does", async () => {
    const home = await mkdtemp(join(tmpdir(), 'mcp-cli-vault-home-'));
    try {
      const noToken = await probe({ VAULT_ADDR: vault.address, HOME: home });
      expect(noToken).toEqual({
        available: false,
        detail: 'no Vault token: VAULT_TOKEN is not set and ~/.vault-token does not exist (run `vault login` or set VAULT_TOKEN)',
        auth: { method: 'token' },
      });
      await writeFile(join(home, '.vault-token'), `${vault.rootToken}\n`, { mode: 0o600 });
      const fromFile = await probe({ VAULT_ADDR: vault.address, HOME: home });
      expect(fromFile.available).toBe(true);
      expect(fromFile.detail).toContain('token from ~/.vault-token');
      expect(vaultBackend.autoRole(backendEnv({ VAULT_ADDR: vault.address, HOME: home }))).toBe('skip');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await probe({ VAULT_ADDR: `http://127.0.0.1:${port}`, VAULT_TOKEN: 'x' })).toEqual({
      available: false,
      detail: `cannot connect to Vault at http://127.0.0.1:${port}: connection refused (check VAULT_ADDR and that Vault is running)`,
      auth: { method: 'token' },
    });
  });

  it('reports a mount the token cannot see, and a path that is not a KV mount', async () => {
    const token = vault.createToken({ policies: [] });
    expect((await probe({ ...env, VAULT_TOKEN: token })).detail).toMatch(/has no access to the mount 'secret\/'/);
    expect((await probe(env, { mount: 'secret/deeper' })).detail).toMatch(/'secret\/deeper' is not a mount point: it lies inside the mount 'secret\/'/);
  });

  it('takes the KV version from the settings without asking the mounts endpoint', async () => {
    vault.clearLog();
    expect((await probe(env, { kvVersion: 2 })).available).toBe(true);
    expect(vault.requests.map((r) => r.path)).toEqual(['auth/token/lookup-self']);
  });

  it('sends VAULT_NAMESPACE as X-Vault-Namespace', async () => {
    vault.addNamespace('team-a');
    vault.enableKv('secret', 2, 'team-a');
    const store = await open({ ...env, VAULT_NAMESPACE: 'team-a' });
    await store.put(bearer('team', 'in-namespace', 'v'));
    expect(vault.requests.filter((r) => r.method === 'POST').every((r) => r.namespace === 'team-a')).toBe(true);
    expect((await (await open()).list('team')).map((m) => m.name)).not.toContain('in-namespace');
    expect((await store.list('team')).map((m) => m.name)).toContain('in-namespace');
  });
});
