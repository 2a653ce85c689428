import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vaultBackend } from '../src/stores/vault/descriptor.js';
import type { StoredToken } from '../src/tokens/model.js';
import { CLI, type BenchHarness } from '../scripts/bench-harness.js';
import { backendEnv } from '../test/helpers/vault-target.js';
import { startVaultServer } from '../test/helpers/vault-server/server.js';

const token = (i: number): StoredToken => ({
  metadata: {
    name: `token-${i}`,
    namespace: `ns-${i % 4}`,
    type: 'bearer',
    createdAt: '2026-11-26T10:00:00.000Z',
    updatedAt: '2026-11-26T10:00:00.000Z',
    provider: 'bench',
    details: {},
  },
  secret: { token: `secret-${i}` },
});

/** `token list` against the in-repo Vault server on loopback: 1000 tokens vs 1, listed with bounded concurrency. */
export default async function vault(h: BenchHarness): Promise<void> {
  const server = await startVaultServer();
  const home = await mkdtemp(join(tmpdir(), 'mcp-cli-bench-vault-'));
  try {
    const vaultEnv = { VAULT_ADDR: server.address, VAULT_TOKEN: server.rootToken };
    const envFor = async (prefix: string, count: number) => {
      const store = await vaultBackend.open(backendEnv(vaultEnv, { pathPrefix: prefix }));
      await Promise.all(Array.from({ length: count }, (_, i) => store.put(token(i))));
      const config = join(home, `${prefix}.json`);
      await writeFile(config, JSON.stringify({ tokenStorage: { vault: { pathPrefix: prefix } } }));
      const env = { ...process.env, ...vaultEnv, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), MCP_CLI_CONFIG: config };
      await h.exec(process.execPath, [CLI, 'config', 'trust'], { env });
      return env;
    };
    const one = await envFor('one', 1);
    const thousand = await envFor('thousand', 1000);
    await h.compare({
      label: 'token list, Vault KV v2 on loopback: 1000 tokens vs 1 token',
      goal: 3,
      runs: 10,
      baseline: { name: 'token list (1 token in Vault)', run: () => h.exec(process.execPath, [CLI, 'token', 'list'], { env: one }) },
      subject: { name: 'token list (1000 tokens in Vault)', run: () => h.exec(process.execPath, [CLI, 'token', 'list'], { env: thousand }) },
    });
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}
