// The encrypted file unlocked by `token unlock`: no scrypt run, no passphrase, one round trip to
// the unlock agent. Compared with the least a Node program does: a one-line ES module printing a string.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptedFileStore } from '../src/stores/encrypted/store.js';
import { CLI, type BenchHarness } from '../scripts/bench-harness.js';

const PASSPHRASE = 'bench-passphrase';

interface UnlockedHome {
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** A HOME whose tokens.enc holds `count` tokens, unlocked for the run; the environment holds no passphrase. */
async function unlockedHome(h: BenchHarness, count: number): Promise<UnlockedHome> {
  const home = await mkdtemp(join(tmpdir(), 'mcp-cli-bench-'));
  const runtime = join(home, 'run');
  await mkdir(runtime, { mode: 0o700 });
  const store = new EncryptedFileStore(join(home, 'data', 'mcp-cli', 'tokens.enc'), { get: async () => PASSPHRASE });
  const now = new Date().toISOString();
  await store.putMany(
    Array.from({ length: count }, (_, i) => ({
      metadata: { name: `token-${i}`, namespace: 'bearer', type: 'bearer' as const, createdAt: now, updatedAt: now, provider: 'bench', details: {} },
      secret: { token: `secret-${i}-${'s'.repeat(40)}` },
    })),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_STATE_HOME: join(home, 'state'),
    XDG_RUNTIME_DIR: runtime,
    MCP_CLI_TOKEN_BACKEND: 'encrypted',
  };
  delete env.MCP_CLI_ENCRYPTION_KEY;
  await h.exec(process.execPath, [CLI, 'token', 'unlock', '--timeout', '30m'], { env: { ...env, MCP_CLI_ENCRYPTION_KEY: PASSPHRASE } });
  return {
    env,
    async cleanup() {
      await h.exec(process.execPath, [CLI, 'token', 'lock'], { env });
      await rm(home, { recursive: true, force: true });
    },
  };
}

export default async function encrypted(h: BenchHarness): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-cli-bench-'));
  const hello = join(dir, 'hello.mjs');
  await writeFile(hello, "console.log('hello');\n");
  const baseline = { name: 'node hello.mjs (one line: console.log)', run: () => h.exec(process.execPath, [hello]) };
  const one = await unlockedHome(h, 1);
  const thousand = await unlockedHome(h, 1000).catch(async (error: unknown) => {
    await one.cleanup();
    throw error;
  });
  try {
    await h.compare({
      label: 'token get --show-value, encrypted file unlocked (1 token) vs a one-line ES module',
      goal: 1.5,
      runs: 20,
      baseline,
      subject: {
        name: 'mcp-cli token get token-0 --show-value',
        run: () => h.exec(process.execPath, [CLI, 'token', 'get', 'token-0', '--show-value'], { env: one.env }),
      },
    });
    await h.compare({
      label: 'token get --show-value, encrypted file unlocked (1000 tokens) vs a one-line ES module',
      goal: 1.5,
      runs: 20,
      baseline,
      subject: {
        name: 'mcp-cli token get token-500 --show-value',
        run: () => h.exec(process.execPath, [CLI, 'token', 'get', 'token-500', '--show-value'], { env: thousand.env }),
      },
    });
    await h.compare({
      label: 'token list, encrypted file unlocked (1000 tokens) vs a one-line ES module',
      goal: 2,
      runs: 15,
      baseline,
      subject: { name: 'mcp-cli token list (1000 tokens)', run: () => h.exec(process.execPath, [CLI, 'token', 'list'], { env: thousand.env }) },
    });
  } finally {
    await one.cleanup();
    await thousand.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}
