import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EncryptedFileStore } from '../src/stores/encrypted/store.js';
import { CLI, type BenchHarness } from '../scripts/bench-harness.js';
import { startTestMcpHttpServer } from '../test/helpers/mcp-servers.js';

const PASSPHRASE = 'bench-passphrase';
const DISTINCT_TOKENS = 30;

/** A home with DISTINCT_TOKENS bearer tokens in the encrypted file, written through the store itself. */
async function seededHome(): Promise<{ home: string; env: NodeJS.ProcessEnv }> {
  const home = await mkdtemp(join(tmpdir(), 'mcp-cli-bench-config-'));
  const dataHome = join(home, 'data');
  const store = new EncryptedFileStore(join(dataHome, 'mcp-cli', 'tokens.enc'), { get: async () => PASSPHRASE });
  const now = new Date().toISOString();
  await store.putMany(
    Array.from({ length: DISTINCT_TOKENS }, (_, i) => ({
      metadata: { name: `token-${i}`, namespace: 'bearer', type: 'bearer' as const, createdAt: now, updatedAt: now, details: {} },
      secret: { token: `secret-${i}` },
    })),
  );
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: dataHome,
    XDG_CONFIG_HOME: join(home, 'config'),
    MCP_CLI_ENCRYPTION_KEY: PASSPHRASE,
    MCP_CLI_TOKEN_BACKEND: 'encrypted',
  };
  return { home, env };
}

/** 100 HTTP servers, each with three references (two headers and the URL): 300 references to 30 tokens. */
function bigConfig(): unknown {
  const servers: Record<string, unknown> = {};
  for (let i = 0; i < 100; i++) {
    const t = (k: number) => `\${TOKEN:bearer:token-${(i * 3 + k) % DISTINCT_TOKENS}}`;
    servers[`server-${i}`] = { url: `https://mcp-${i}.example.test/mcp?key=${t(0)}`, headers: { Authorization: `Bearer ${t(1)}`, 'X-Api-Key': t(2) } };
  }
  return { mcpServers: servers };
}

export default async function configBench(h: BenchHarness): Promise<void> {
  const { home, env } = await seededHome();
  const big = join(home, 'big.json');
  const small = join(home, 'small.json');
  await writeFile(big, JSON.stringify(bigConfig()));
  await writeFile(
    small,
    JSON.stringify({ mcpServers: { one: { url: 'https://one.example.test/mcp', headers: { Authorization: 'Bearer ${TOKEN:bearer:token-0}' } } } }),
  );
  const http = await startTestMcpHttpServer({ token: 'bench-token' });
  const pingConfig = join(home, 'ping.json');
  await writeFile(pingConfig, JSON.stringify({ mcpServers: { bench: { url: http.url, headers: { Authorization: 'Bearer ${BENCH_TOKEN}' } } } }));
  // Files outside the config directory are approved once, as a user would; the approved path is what is measured.
  for (const file of [big, small, pingConfig]) await h.exec(process.execPath, [CLI, 'config', 'trust', file], { env });
  try {
    await h.compare({
      label: 'config show --json, encrypted store: 100 servers / 300 references / 30 tokens vs 1 server / 1 reference',
      goal: 1.5,
      runs: 10,
      baseline: {
        name: 'mcp-cli config show --json (1 reference)',
        run: () => h.exec(process.execPath, [CLI, '--config', small, 'config', 'show', '--json'], { env }),
      },
      subject: {
        name: 'mcp-cli config show --json (300 references)',
        run: () => h.exec(process.execPath, [CLI, '--config', big, 'config', 'show', '--json'], { env }),
      },
    });
    const pingEnv = { ...env, BENCH_TOKEN: 'bench-token' };
    const minimal = fileURLToPath(new URL('./fixtures/minimal-ping.mjs', import.meta.url));
    await h.compare({
      label: 'mcp-cli ping vs a minimal SDK client script (streamable HTTP, connect + initialize + ping)',
      goal: 1.3,
      runs: 15,
      baseline: { name: 'node bench/fixtures/minimal-ping.mjs', run: () => h.exec(process.execPath, [minimal, http.url], { env: pingEnv }) },
      subject: { name: 'mcp-cli ping bench', run: () => h.exec(process.execPath, [CLI, '--config', pingConfig, 'ping', 'bench'], { env: pingEnv }) },
    });
  } finally {
    await http.close();
    await rm(home, { recursive: true, force: true });
  }
}
