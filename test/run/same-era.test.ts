// `mcp-cli run` relays each message as the client sent it: a client and a server of the same era work
// through it, in either era, with the server's echo of the stored token masked. A server of both eras
// keeps the client's era. (A client that negotiates meets a 2025-only server in the 2026 era: the
// bridge answers its `server/discover`, as it must for a client pinned to 2026; see eras.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { plainToken, seedTokens } from '../helpers/seed-store.js';
import { startTestMcpHttpServer, type ServerEras, type TestMcpHttpServer } from '../helpers/mcp-servers.js';
import { connectThroughRun } from '../helpers/run-client.js';

const SECRET = 'same-era-SENTINEL-61f0';
const textOf = (result: unknown) => (result as { content: { text: string }[] }).content[0]!.text;

describe('mcp-cli run between a client and a server of the same era', () => {
  let sandbox: Sandbox;
  const servers = {} as Record<ServerEras, TestMcpHttpServer>;

  beforeAll(async () => {
    for (const eras of ['2026', '2025', 'both'] as const) servers[eras] = await startTestMcpHttpServer({ token: SECRET, eras });
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'same-era-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' });
    await seedTokens(sandbox.env.XDG_DATA_HOME!, 'same-era-passphrase', [plainToken('bearer', 'key', SECRET)]);
    const entry = (eras: ServerEras) => ({ url: servers[eras].url, headers: { Authorization: 'Bearer ${TOKEN:bearer:key}' } });
    await writeOwnConfig(sandbox.home, { mcpServers: { modern: entry('2026'), legacy: entry('2025'), both: entry('both') } });
  });
  afterAll(async () => {
    for (const server of Object.values(servers)) await server?.close();
    await sandbox?.cleanup();
  });

  it.each([
    ['a 2026-07-28 client', 'modern', { mode: { pin: '2026-07-28' } }, '2026-07-28'],
    ['a 2026-07-28 client', 'both', { mode: { pin: '2026-07-28' } }, '2026-07-28'],
    ['a 2025 client', 'legacy', undefined, '2025-11-25'],
    ['a 2025 client', 'both', undefined, '2025-11-25'],
    ['an auto client', 'both', { mode: 'auto' as const }, '2026-07-28'],
  ])('%s with the %s server: tools, a call, the echoed token masked', async (_who, name, negotiation, version) => {
    const run = await connectThroughRun(sandbox, name, negotiation ? { negotiation } : {});
    try {
      expect(run.client.getNegotiatedProtocolVersion()).toBe(version);
      const { tools } = await run.client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['echo', 'token-sha256', 'whoami']);
      expect(textOf(await run.client.callTool({ name: 'echo', arguments: { message: 'through the bridge' } }))).toBe('through the bridge');
      expect(textOf(await run.client.callTool({ name: 'whoami', arguments: {} }))).toBe('token=<redacted>');
    } finally {
      await run.close();
    }
    expect(run.stderr()).not.toContain(SECRET);
    const eras = name === 'modern' ? '2026' : name === 'legacy' ? '2025' : 'both';
    const calls = servers[eras].posts.filter((p) => p.rpc === 'tools/call');
    expect(calls.at(-1)!.protocolVersion).toBe(version);
  });
});
