import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptedFileStore } from '../src/stores/encrypted/store.js';
import { CLI, type BenchHarness } from '../scripts/bench-harness.js';
import { makeTestPki } from '../test/helpers/certs.js';
import { startTestMcpHttpServer } from '../test/helpers/mcp-servers.js';
import { startTestMtlsServer } from '../test/helpers/mtls-server.js';

const PASSPHRASE = 'bench-passphrase';
const KEYS = 20;

/** An OpenAI-style stand-in that accepts every key: validation cost without the internet. */
async function providerStandIn() {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export default async function lifecycleBench(h: BenchHarness): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'mcp-cli-bench-lifecycle-'));
  await mkdir(join(home, 'pki'));
  const pki = makeTestPki(join(home, 'pki'));
  const mtls = await startTestMtlsServer(pki);
  const http = await startTestMcpHttpServer({ token: 'bench-token' });
  const provider = await providerStandIn();
  const dataHome = join(home, 'data');
  const store = new EncryptedFileStore(join(dataHome, 'mcp-cli', 'tokens.enc'), { get: async () => PASSPHRASE });
  const now = new Date().toISOString();
  await store.putMany(
    Array.from({ length: KEYS }, (_, i) => ({
      metadata: { name: `key-${i}`, namespace: 'api-key', type: 'api-key' as const, provider: 'openai', createdAt: now, updatedAt: now, details: {} },
      secret: { key: `sk-bench-${i}` },
    })),
  );
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: dataHome,
    XDG_STATE_HOME: join(home, 'state'),
    XDG_CONFIG_HOME: join(home, 'config'),
    MCP_CLI_ENCRYPTION_KEY: PASSPHRASE,
    MCP_CLI_TOKEN_BACKEND: 'encrypted',
    BENCH_TOKEN: 'bench-token',
    BENCH_CERT: await readFile(pki.clientCert, 'utf8'),
    BENCH_KEY: await readFile(pki.clientKey, 'utf8'),
    BENCH_CA: await readFile(pki.caCert, 'utf8'),
  };
  const config = join(home, 'server_config.json');
  await writeFile(
    config,
    JSON.stringify({
      mcpServers: {
        plain: { url: http.url, headers: { Authorization: 'Bearer ${BENCH_TOKEN}' } },
        mtls: { url: mtls.url, tls: { cert: '${BENCH_CERT}', key: '${BENCH_KEY}', ca: '${BENCH_CA}' } },
      },
      tokenValidation: { providers: { openai: { baseUrl: `${provider.origin}/v1` } } },
    }),
  );
  await h.exec(process.execPath, [CLI, 'config', 'trust', config], { env });
  const cli = (args: string[]) => () => h.exec(process.execPath, [CLI, '--config', config, ...args], { env });
  try {
    await h.compare({
      label: 'mcp-cli ping over mutual TLS (client certificate, undici agent) vs over plain HTTP with a bearer header',
      goal: 1.3,
      runs: 15,
      baseline: { name: 'mcp-cli ping plain', run: cli(['ping', 'plain']) },
      subject: { name: 'mcp-cli ping mtls', run: cli(['ping', 'mtls']) },
    });
    await h.compare({
      label: `token validate --all with ${KEYS} OpenAI keys (one request each) vs validating one, encrypted store`,
      goal: 1.5,
      runs: 8,
      baseline: { name: 'mcp-cli token validate key-0', run: cli(['token', 'validate', 'key-0']) },
      subject: { name: `mcp-cli token validate --all (${KEYS} keys)`, run: cli(['token', 'validate', '--all']) },
    });
  } finally {
    await Promise.all([mtls.close(), http.close(), provider.close()]);
    await rm(home, { recursive: true, force: true });
  }
}
