// `mcp-cli run`: what it costs a client to reach a server through it rather than directly.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { CLI, type BenchHarness } from '../scripts/bench-harness.js';
import { createSandbox, writeOwnConfig } from '../test/helpers/cli.js';
import { startTestMcpHttpServer, STDIO_SERVER } from '../test/helpers/mcp-servers.js';
import { startPrivateKeyring } from '../test/helpers/keyring.js';
import { EncryptedFileStore } from '../src/stores/encrypted/store.js';

const TOKEN = 'bench-run-token-5f0c';
const PASSPHRASE = 'bench-run-passphrase';
const CALLS = 200;
const INITIALIZE = `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })}\n`;

const now = new Date().toISOString();
const bearer = {
  metadata: { name: 'bench', namespace: 'bearer', type: 'bearer' as const, createdAt: now, updatedAt: now, details: {} },
  secret: { token: TOKEN },
};

/**
 * A throw-away home whose own server_config.json holds `config`: the account's home in the system's user
 * database too (test/helpers/cli.ts), since mcp-cli trusts only that home's config without approval.
 */
async function homeWith(
  config: object,
  extra: NodeJS.ProcessEnv,
): Promise<{ home: string; env: NodeJS.ProcessEnv; dataDir: string; cleanup(): Promise<void> }> {
  const sandbox = await createSandbox(extra);
  await writeOwnConfig(sandbox.home, config);
  return { home: sandbox.home, env: sandbox.env, dataDir: join(sandbox.env.XDG_DATA_HOME!, 'mcp-cli'), cleanup: sandbox.cleanup };
}

/** Spawns a stdio MCP server (or mcp-cli run), sends initialize, resolves once the result line is out; then lets it end. */
function initializeOnce(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        if (!out.includes('"result"')) reject(new Error(`no initialize result: ${out}`));
        child.stdin.end();
      }
    });
    child.once('exit', (code) => (out.includes('"result"') ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code} before answering`))));
    child.stdin.write(INITIALIZE);
  });
}

async function connected(transport: StdioClientTransport | StreamableHTTPClientTransport): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** The resident memory of a process, in MiB (Linux). */
async function residentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kib) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib[1]) / 1024;
}

const MCP_REMOTE = createRequire(import.meta.url).resolve('mcp-remote/dist/proxy.js');

const sequentialCalls = (client: Client) => async () => {
  for (let i = 0; i < CALLS; i++) await client.callTool({ name: 'echo', arguments: { message: `call ${i}` } });
};

export default async function runBench(h: BenchHarness): Promise<void> {
  // 1. Steady state: 200 sequential tools/call, directly vs through the bridge (both clients connected beforehand).
  const http = await startTestMcpHttpServer({ token: TOKEN });
  const web = await homeWith(
    { mcpServers: { web: { url: http.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:bench}' } } } },
    { MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: PASSPHRASE },
  );
  await new EncryptedFileStore(join(web.dataDir, 'tokens.enc'), { get: async () => PASSPHRASE }).putMany([bearer]);
  const direct = await connected(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const bridgedTransport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'run', 'web'],
    env: web.env as Record<string, string>,
    stderr: 'pipe',
  });
  bridgedTransport.stderr?.pipe(quiet);
  const bridged = await connected(bridgedTransport);
  // mcp-remote bridging the same server with the same header (its state directory in the bench's home).
  const remoteTransport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE, http.url, '--header', `Authorization:Bearer ${TOKEN}`, '--transport', 'http-only'],
    env: { ...(web.env as Record<string, string>), MCP_REMOTE_CONFIG_DIR: join(web.home, 'mcp-remote') },
    stderr: 'pipe',
  });
  remoteTransport.stderr?.pipe(quiet);
  const remote = await connected(remoteTransport);
  try {
    await h.compare({
      label: `${CALLS} sequential tools/call through mcp-cli run (streamable HTTP entry, stored bearer token, masking on) vs the same SDK client talking to the server directly`,
      goal: 1.15,
      runs: 7,
      warmup: 1,
      baseline: { name: `SDK Client + StreamableHTTPClientTransport: ${CALLS} x callTool`, run: sequentialCalls(direct) },
      subject: { name: `SDK Client + StdioClientTransport -> mcp-cli run web: ${CALLS} x callTool`, run: sequentialCalls(bridged) },
    });
    await h.compare({
      label: `${CALLS} sequential tools/call through mcp-cli run vs through mcp-remote bridging the same server with the same header`,
      goal: 0.6,
      runs: 7,
      warmup: 1,
      baseline: { name: `SDK Client + StdioClientTransport -> mcp-remote URL --header: ${CALLS} x callTool`, run: sequentialCalls(remote) },
      subject: { name: `SDK Client + StdioClientTransport -> mcp-cli run web: ${CALLS} x callTool`, run: sequentialCalls(bridged) },
    });
    const remoteMiB = await residentMiB(remoteTransport.pid!);
    h.figure({
      label: `resident memory of mcp-cli run after ${CALLS * 16} tools/call (mcp-remote after ${CALLS * 8}: ${remoteMiB.toFixed(1)} MiB)`,
      value: await residentMiB(bridgedTransport.pid!),
      unit: 'MiB',
      limit: 80,
    });
  } finally {
    await remote.close();
    await bridged.close();
    await direct.close();
    await http.close();
    await web.cleanup();
  }

  // 2. Start-up: spawn to the initialize result, the server alone vs through mcp-cli run resolving a stored token.
  const stdioEntry = { command: process.execPath, args: [STDIO_SERVER], env: { API_KEY: '${TOKEN:bearer:bench}' } };
  const serverEnv = { ...process.env, API_KEY: TOKEN };
  const keyring = await startPrivateKeyring();
  const secretService = await homeWith({ mcpServers: { local: stdioEntry } }, { ...keyring.env, MCP_CLI_TOKEN_BACKEND: 'secret-service' });
  // The encrypted file as a client would use it: unlocked once by `token unlock`, no passphrase in the environment.
  const encrypted = await homeWith({ mcpServers: { local: stdioEntry } }, { MCP_CLI_TOKEN_BACKEND: 'encrypted' });
  try {
    await h.exec(process.execPath, [CLI, 'token', 'set', 'bench', '--value', '-'], { env: secretService.env, input: TOKEN });
    await new EncryptedFileStore(join(encrypted.dataDir, 'tokens.enc'), { get: async () => PASSPHRASE }).putMany([bearer]);
    await h.exec(process.execPath, [CLI, 'token', 'unlock', '--timeout', '30m'], { env: { ...encrypted.env, MCP_CLI_ENCRYPTION_KEY: PASSPHRASE } });
    await h.compare({
      label: 'spawn to initialize result: mcp-cli run (stdio entry, token from the Secret Service) vs spawning the server directly',
      goal: 1.5,
      runs: 15,
      baseline: { name: 'node test/fixtures/stdio-server.mjs', run: () => initializeOnce(process.execPath, [STDIO_SERVER], serverEnv) },
      subject: { name: 'mcp-cli run local (secret-service backend)', run: () => initializeOnce(process.execPath, [CLI, 'run', 'local'], secretService.env) },
    });
    await h.compare({
      label: 'spawn to initialize result: mcp-cli run (stdio entry, token from the encrypted file unlocked by token unlock) vs spawning the server directly',
      goal: 1.5,
      runs: 15,
      baseline: { name: 'node test/fixtures/stdio-server.mjs', run: () => initializeOnce(process.execPath, [STDIO_SERVER], serverEnv) },
      subject: { name: 'mcp-cli run local (encrypted backend, unlocked)', run: () => initializeOnce(process.execPath, [CLI, 'run', 'local'], encrypted.env) },
    });
  } finally {
    await h.exec(process.execPath, [CLI, 'token', 'lock'], { env: encrypted.env }).catch(() => undefined);
    await keyring.stop();
    await secretService.cleanup();
    await encrypted.cleanup();
  }
}
