// The Vault backend through the CLI's commands (in-process), as a team uses it: separate HOME
// directories and environments, one Vault (the in-repo server on 127.0.0.1).
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { vaultBackend } from '../../src/stores/vault/descriptor.js';
import { CLI, createSandbox, type Sandbox, writeOwnConfig } from '../helpers/cli.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls.js';
import { backendEnv } from '../helpers/vault-target.js';
import { startVaultServer, type VaultServer } from '../helpers/vault-server/server.js';

const SENTINEL = 'sentinel-team-secret-7f3a';
let vault: VaultServer;
const sandboxes: Sandbox[] = [];

async function sandbox(extra: Record<string, string | undefined> = {}): Promise<Sandbox> {
  // No token file beforehand: tests show that nothing falls back to one.
  const s = await createSandbox({ VAULT_ADDR: vault.address, VAULT_TOKEN: vault.rootToken, ...extra }, { inProcess: true, quickTokenFile: false });
  sandboxes.push(s);
  return s;
}

/** Every file under a directory, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  vault = await startVaultServer();
});
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.cleanup()));
  await vault.close();
});
beforeEach(() => {
  vault.sealed = false;
  vault.clearFaults();
});

describe('team workflow', () => {
  it('two users with one Vault share team tokens; nothing is stored locally', async () => {
    const alice = await sandbox();
    const bob = await sandbox();

    const backends = await alice.run(['token', 'backends']);
    expect(backends.code).toBe(0);
    expect(backends.stdout).toMatch(new RegExp(`^vault\\tavailable\\tactive\\t${vault.address} secret/ \\(KV v2\\)`, 'm'));
    expect(backends.stderr).toContain('Active backend: vault (auto: configured by VAULT_ADDR and VAULT_TOKEN)');

    const set = await alice.run(['token', 'set', 'shared-api', '--type', 'bearer', '--namespace', 'team'], { input: SENTINEL });
    expect(set.code).toBe(0);
    expect(set.stderr).toContain("Stored bearer token 'shared-api' in namespace 'team' (vault backend)");

    const value = await bob.run(['token', 'get', 'shared-api', '--namespace', 'team', '--show-value']);
    expect(value).toMatchObject({ code: 0, stdout: `${SENTINEL}\n` });
    const listed = await bob.run(['token', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'shared-api', namespace: 'team', type: 'bearer' })]);

    const deleted = await bob.run(['token', 'delete', 'shared-api', '--namespace', 'team']);
    expect(deleted.code).toBe(0);
    expect((await alice.run(['token', 'get', 'shared-api', '--namespace', 'team'])).code).toBe(1);

    for (const out of [backends, set, listed, deleted]) {
      expect(out.stdout + out.stderr).not.toContain(SENTINEL);
      expect(out.stdout + out.stderr).not.toContain(vault.rootToken);
    }
    for (const user of [alice, bob]) expect(existsSync(join(user.home, '.local', 'share', 'mcp-cli'))).toBe(false);
  });

  it('loses nothing with 20 CLI processes writing at once', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => sandbox()));
    const results = await Promise.all(
      users.map((u, i) => u.run(['token', 'set', `writer-${i}`, '--type', 'bearer', '--namespace', 'crowd'], { input: `value-${i}` })),
    );
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0));
    const listed = JSON.parse((await users[0]!.run(['token', 'list', '--namespace', 'crowd', '--json'])).stdout) as { name: string }[];
    expect(listed.map((t) => t.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `writer-${i}`).sort());
    expect((await users[7]!.run(['token', 'get', 'writer-13', '--namespace', 'crowd', '--show-value'])).stdout).toBe('value-13\n');
  });

  it('lists 1000 tokens', async () => {
    const store = await vaultBackend.open(backendEnv({ VAULT_ADDR: vault.address, VAULT_TOKEN: vault.rootToken }, { pathPrefix: 'many' }));
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        store.put({
          metadata: {
            name: `t-${i}`,
            namespace: `ns-${i % 3}`,
            type: 'api-key',
            createdAt: '2026-11-26T10:00:00.000Z',
            updatedAt: '2026-11-26T10:00:00.000Z',
            provider: 'p',
            details: {},
          },
          secret: { key: `k-${i}` },
        }),
      ),
    );
    const user = await sandbox();
    await writeOwnConfig(user.home, JSON.stringify({ tokenStorage: { vault: { pathPrefix: 'many' } } }));
    const listed = await user.run(['token', 'list', '--json']);
    expect(listed.code).toBe(0);
    const tokens = JSON.parse(listed.stdout) as { name: string }[];
    expect(tokens).toHaveLength(1000);
    expect(new Set(tokens.map((t) => t.name)).size).toBe(1000);
  });

  it('works with a KV v1 mount chosen in server_config.json', async () => {
    vault.enableKv('kv1', 1);
    const user = await sandbox();
    await writeOwnConfig(user.home, JSON.stringify({ tokenStorage: { backend: 'vault', vault: { mount: 'kv1' } } }));
    expect((await user.run(['token', 'set', 'old-style', '--type', 'api-key', '--provider', 'acme'], { input: 'v1-value' })).code).toBe(0);
    expect((await user.run(['token', 'get', 'old-style', '--show-value'])).stdout).toBe('v1-value\n');
    expect((await user.run(['token', 'backends'])).stdout).toMatch(/kv1\/ \(KV v1\)/);
  });
});

describe('errors', () => {
  it('an explicitly chosen, unreachable Vault is an error and nothing is written anywhere else', async () => {
    const port = await closedPort();
    const user = await sandbox({ VAULT_ADDR: `http://127.0.0.1:${port}`, MCP_CLI_ENCRYPTION_KEY: 'would-be-used-by-a-fallback' });
    const cases: [string[], Record<string, string>][] = [
      [['--token-backend', 'vault'], {}],
      [[], { MCP_CLI_TOKEN_BACKEND: 'vault' }],
      [[], {}], // auto, claimed by VAULT_ADDR + VAULT_TOKEN
    ];
    for (const [flags, env] of cases) {
      const result = await user.run([...flags, 'token', 'set', 'x', '--type', 'bearer'], { input: SENTINEL, env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot connect to Vault at http://127.0.0.1:${port}: connection refused`);
      expect(result.stderr).not.toContain(SENTINEL);
    }
    expect(await filesUnder(user.home)).toEqual([]);
  });

  it('an unreachable Vault names the backends that work here; token backends reports it and exits 0', async () => {
    const port = await closedPort();
    const user = await sandbox({ VAULT_ADDR: `http://127.0.0.1:${port}` });
    const way =
      'available here instead: encrypted; choose one explicitly, e.g. --token-backend encrypted (or MCP_CLI_TOKEN_BACKEND=encrypted for every command)';
    for (const flags of [[], ['--token-backend', 'vault']]) {
      const list = await user.run([...flags, 'token', 'list']);
      expect(list.code).toBe(1);
      expect(list.stderr).toContain(`hint: ${way}`);
    }
    const auto = await user.run(['token', 'list']);
    expect(auto.stderr).toContain("error: token backend 'vault' is configured by VAULT_ADDR and VAULT_TOKEN but unavailable");

    const backends = await user.run(['token', 'backends']);
    expect(backends.code, backends.stderr).toBe(0);
    expect(backends.stdout).toMatch(/^vault\tunavailable\t\tcannot connect to Vault at .*: connection refused/m);
    expect(backends.stdout).toMatch(/^encrypted\tavailable\t/m);
    expect(backends.stderr).toContain("! No active backend: token backend 'vault' is configured by VAULT_ADDR and VAULT_TOKEN but unavailable");
    expect(backends.stderr).toContain(`  hint: ${way}`);
    const json = JSON.parse((await user.run(['token', 'backends', '--json'])).stdout) as { active: unknown; hint: string };
    expect(json.active).toBeNull();
    expect(json.hint).toContain(way);
  });

  it("says so when the token's policy lacks access, naming the path", async () => {
    vault.addPolicy('read-only', [{ path: 'secret/*', capabilities: ['read', 'list'] }]);
    const user = await sandbox({ VAULT_TOKEN: vault.createToken({ policies: ['read-only'] }) });
    const result = await user.run(['token', 'set', 'locked', '--type', 'bearer', '--namespace', 'team'], { input: SENTINEL });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "error: Vault denied access to secret/data/mcp-cli/team/locked: permission denied; the Vault token's policy lacks 'create/update' on this path",
    );
    expect(result.stderr).toMatch(/^hint: ask your Vault administrator/m);
  });

  it('says so when Vault is sealed', async () => {
    const user = await sandbox();
    vault.sealed = true;
    const result = await user.run(['token', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`unavailable: Vault at ${vault.address} is sealed`);
  });

  it('retries a 429 and a 503 and succeeds', async () => {
    const user = await sandbox();
    vault.inject({ status: 429, times: 1, pathIncludes: 'auth/token/lookup-self' });
    vault.inject({ status: 503, times: 2, pathIncludes: 'secret/metadata/' });
    vault.clearLog();
    const result = await user.run(['token', 'list', '--json']);
    expect(result.code).toBe(0);
    expect(vault.requests.filter((r) => r.path === 'auth/token/lookup-self')).toHaveLength(2);
    expect(vault.requests.filter((r) => r.path === 'secret/metadata/mcp-cli/')).toHaveLength(3);
  });

  it('says so when there is no Vault token, and uses ~/.vault-token when there is one', async () => {
    const user = await sandbox({ VAULT_TOKEN: undefined });
    const missing = await user.run(['--token-backend', 'vault', 'token', 'list']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no Vault token: VAULT_TOKEN is not set and ~/.vault-token does not exist');
    await writeFile(join(user.home, '.vault-token'), vault.rootToken, { mode: 0o600 });
    const found = await user.run(['--token-backend', 'vault', 'token', 'backends']);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/token from ~\/\.vault-token/);
  });

  it('says so when the Vault token has expired', async () => {
    const token = vault.createToken({ policies: [], ttlSeconds: 60 });
    vault.expireToken(token);
    const user = await sandbox({ VAULT_TOKEN: token });
    const result = await user.run(['token', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rejected the token from VAULT_TOKEN: it is invalid, expired or revoked');
    expect(result.stderr).not.toContain(token);
  });
});

describe('TLS', () => {
  let certs: TestCertificates;
  let tlsVault: VaultServer;
  beforeAll(async () => {
    certs = await makeTestCertificates();
    tlsVault = await startVaultServer({ tls: { key: certs.serverKey, cert: certs.serverCert } });
  });
  afterAll(async () => {
    await tlsVault?.close();
    await certs?.cleanup();
  });

  it('fails with a TLS message when the CA is unknown, and works with VAULT_CACERT or tokenStorage.vault.caCert', async () => {
    const user = await sandbox({ VAULT_ADDR: tlsVault.address, VAULT_TOKEN: tlsVault.rootToken });
    const untrusted = await user.run(['token', 'list']);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain(`TLS connection to Vault at ${tlsVault.address} failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE (set VAULT_CACERT`);

    const stored = await user.run(['token', 'set', 'over-tls', '--type', 'bearer'], { input: SENTINEL, env: { VAULT_CACERT: certs.caPath } });
    expect(stored.code).toBe(0);
    await writeOwnConfig(user.home, JSON.stringify({ tokenStorage: { vault: { caCert: certs.caPath } } }));
    expect((await user.run(['token', 'get', 'over-tls', '--show-value'])).stdout).toBe(`${SENTINEL}\n`);
  });

  it('authenticates with a client certificate from VAULT_CLIENT_CERT and VAULT_CLIENT_KEY when Vault requires one', async () => {
    const ca = await readFile(certs.caPath);
    const mtls = await startVaultServer({ tls: { key: certs.serverKey, cert: certs.serverCert, clientCa: ca } });
    try {
      const user = await sandbox({ VAULT_ADDR: mtls.address, VAULT_TOKEN: mtls.rootToken, VAULT_CACERT: certs.caPath });
      const refused = await user.run(['token', 'list']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`TLS connection to Vault at ${mtls.address} failed`);
      expect(refused.stderr).toContain('set VAULT_CLIENT_CERT and VAULT_CLIENT_KEY');
      const withCert = await user.run(['token', 'list', '--json'], { env: { VAULT_CLIENT_CERT: certs.clientCertPath, VAULT_CLIENT_KEY: certs.clientKeyPath } });
      expect(withCert).toMatchObject({ code: 0, stdout: '[]\n' });
    } finally {
      await mtls.close();
    }
  });

  it('skips verification only when VAULT_SKIP_VERIFY says so, and says it is off', async () => {
    const user = await sandbox({ VAULT_ADDR: tlsVault.address, VAULT_TOKEN: tlsVault.rootToken, VAULT_SKIP_VERIFY: 'true' });
    const result = await user.run(['token', 'backends']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('TLS verification OFF');
  });
});
