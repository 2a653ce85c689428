import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptedFileStore } from '../src/stores/encrypted/store.js';
import { CLI, type BenchHarness } from '../scripts/bench-harness.js';

const PASSPHRASE = 'bench-passphrase';

/** A data directory whose tokens.enc holds `count` bearer tokens, written through the store itself. */
async function seededHome(count: number): Promise<{ env: NodeJS.ProcessEnv; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'mcp-cli-bench-'));
  const dataHome = join(home, 'data');
  const store = new EncryptedFileStore(join(dataHome, 'mcp-cli', 'tokens.enc'), { get: async () => PASSPHRASE });
  const now = new Date().toISOString();
  // One write with all tokens: seed by building the list in a single mutation.
  const tokens = Array.from({ length: count }, (_, i) => ({
    metadata: {
      name: `token-${i}`,
      namespace: i % 2 ? 'bearer' : 'api-key',
      type: (i % 2 ? 'bearer' : 'api-key') as 'bearer' | 'api-key',
      createdAt: now,
      updatedAt: now,
      provider: 'bench',
      details: {},
    },
    secret: i % 2 ? { token: `secret-${i}` } : { key: `secret-${i}` },
  }));
  await store.putMany(tokens);
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: dataHome,
    XDG_CONFIG_HOME: join(home, 'config'),
    MCP_CLI_ENCRYPTION_KEY: PASSPHRASE,
    MCP_CLI_TOKEN_BACKEND: 'encrypted',
  };
  return { env, cleanup: () => rm(home, { recursive: true, force: true }) };
}

export default async function tokenCore(h: BenchHarness): Promise<void> {
  await h.compare({
    label: 'start-up: mcp-cli --version vs node -e hello',
    goal: 1.25,
    runs: 30,
    baseline: { name: 'node -e "console.log(\'hello\')"', run: () => h.exec(process.execPath, ['-e', "console.log('hello')"]) },
    subject: { name: 'mcp-cli --version', run: () => h.exec(process.execPath, [CLI, '--version']) },
  });

  const one = await seededHome(1);
  const thousand = await seededHome(1000);
  try {
    await h.compare({
      label: 'token list, encrypted file: 1000 tokens vs 1 token',
      goal: 1.2,
      runs: 10,
      baseline: { name: 'token list (1 token)', run: () => h.exec(process.execPath, [CLI, 'token', 'list'], { env: one.env }) },
      subject: { name: 'token list (1000 tokens)', run: () => h.exec(process.execPath, [CLI, 'token', 'list'], { env: thousand.env }) },
    });
  } finally {
    await one.cleanup();
    await thousand.cleanup();
  }
}
