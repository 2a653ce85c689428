import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, type BenchHarness } from '../scripts/bench-harness.js';
import { startPrivateKeyring, type PrivateKeyring } from '../test/helpers/keyring.js';

interface Keyring {
  keyring: PrivateKeyring;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

// Seeds through the store, in a child process of its own: the native binding stays on the
// first session bus it connects to, so one process cannot seed two private keyrings.
const SEED = `
import { Writable } from 'node:stream';
import { secretServiceBackend } from ${JSON.stringify(join(ROOT, 'src', 'stores', 'keychain', 'descriptor.ts'))};
const count = Number(process.argv[1]);
const store = await secretServiceBackend.open({
  env: process.env, platform: 'linux', settings: {}, prompter: {}, canPrompt: false,
  stderr: new Writable({ write: (_c, _e, cb) => cb() }),
});
const now = new Date().toISOString();
await store.putMany(Array.from({ length: count }, (_, i) => ({
  metadata: { name: 'token-' + i, namespace: 'bearer', type: 'bearer', createdAt: now, updatedAt: now, provider: 'bench', details: {} },
  secret: { token: 'secret-' + i + '-' + 's'.repeat(40) },
})));
`;

/** A private keyring holding `count` bearer tokens, written through the store in one index update. */
async function seededKeyring(h: BenchHarness, count: number): Promise<Keyring> {
  const keyring = await startPrivateKeyring();
  const home = await mkdtemp(join(tmpdir(), 'mcp-cli-bench-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...keyring.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_STATE_HOME: join(home, 'state'),
    MCP_CLI_TOKEN_BACKEND: 'secret-service',
  };
  const cleanup = async () => {
    await keyring.stop();
    await rm(home, { recursive: true, force: true });
  };
  try {
    await h.exec(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SEED, String(count)], { env });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { keyring, env, cleanup };
}

export default async function keychain(h: BenchHarness): Promise<void> {
  const one = await seededKeyring(h, 1);
  const many = await seededKeyring(h, 200).catch(async (error: unknown) => {
    await one.cleanup();
    throw error;
  });
  const reader = join(tmpdir(), `mcp-cli-bench-read-${process.pid}.cjs`);
  // The least a program can do to print the value: load the binding, read the item, parse it.
  await writeFile(
    reader,
    `const { Entry } = require(${JSON.stringify(join(ROOT, 'node_modules', '@napi-rs', 'keyring'))});\n` +
      `const text = new Entry('mcp-cli', 'bearer:token-0', { linux: { store: 'secret-service' } }).getPassword();\n` +
      `process.stdout.write(JSON.parse(text).secret.token + '\\n');\n`,
  );
  try {
    await h.compare({
      label: 'token get --show-value on the Secret Service vs a minimal @napi-rs/keyring read',
      goal: 1.3,
      runs: 15,
      baseline: { name: 'node read-item.cjs (@napi-rs/keyring Entry.getPassword)', run: () => h.exec(process.execPath, [reader], { env: one.env }) },
      subject: {
        name: 'mcp-cli token get token-0 --show-value',
        run: () => h.exec(process.execPath, [CLI, 'token', 'get', 'token-0', '--show-value'], { env: one.env }),
      },
    });
    await h.compare({
      label: 'token list on the Secret Service: 200 tokens vs 1 token',
      goal: 1.5,
      runs: 10,
      baseline: { name: 'token list (1 token)', run: () => h.exec(process.execPath, [CLI, 'token', 'list'], { env: one.env }) },
      subject: { name: 'token list (200 tokens)', run: () => h.exec(process.execPath, [CLI, 'token', 'list'], { env: many.env }) },
    });
  } finally {
    await rm(reader, { force: true });
    await one.cleanup();
    await many.cleanup();
  }
}
