// `mcp-cli run` between a client of one protocol era and a server of the other (and of the same):
// real SDK clients (v1 for 2025, v2 pinned to 2026-07-28 or negotiating) launch the built binary,
// which bridges to real SDK servers (v2 `createMcpHandler` 2026-only, a v1 2025 server with sessions).
// Each pair lists and calls tools, answers an elicitation, sees progress, cancels, samples, gives its
// roots, reads a resource, gets a prompt and hears of changes; the server's echo of the stored token
// is masked in every pair.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { plainToken, seedTokens } from '../helpers/seed-store.js';
import { startModernServer, type ModernTestServer } from '../helpers/era-servers.js';
import { connectEraPeer, type EraClientKind, type EraPeer } from '../helpers/run-client.js';
import { startStatefulMcpServer, type StatefulServer } from '../helpers/stateful-mcp-server.js';

const SECRET = 'eras-SENTINEL-5c1e90';
const TOOLS = ['ask-name', 'echo', 'list-roots', 'progress', 'sample', 'slow', 'whoami'];

describe('mcp-cli run between protocol eras', () => {
  let sandbox: Sandbox;
  let modern: ModernTestServer;
  let legacy: StatefulServer;

  beforeAll(async () => {
    modern = await startModernServer({ token: SECRET, eras: '2026' });
    legacy = await startStatefulMcpServer({ token: SECRET });
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'eras-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' });
    await seedTokens(sandbox.env.XDG_DATA_HOME!, 'eras-passphrase', [plainToken('bearer', 'key', SECRET)]);
    const entry = (url: string) => ({ url, headers: { Authorization: 'Bearer ${TOKEN:bearer:key}' } });
    await writeOwnConfig(sandbox.home, { mcpServers: { modern: entry(modern.url), legacy: entry(legacy.url) } });
  });
  afterAll(async () => {
    await modern?.close();
    await legacy?.close();
    await sandbox?.cleanup();
  });

  const pairs: [string, EraClientKind, 'modern' | 'legacy', string][] = [
    ['a 2025 client (SDK v1) and a 2026-only server', '2025', 'modern', '2025-11-25'],
    ['a 2026-pinned client and a 2025-only server (SDK v1)', '2026', 'legacy', '2026-07-28'],
    ['a 2026-pinned client and a 2026-only server', '2026', 'modern', '2026-07-28'],
    ['an auto client and a 2025 server', 'auto', 'legacy', '2026-07-28'],
  ];

  describe.each(pairs)('%s', (_title, kind, serverName, clientVersion) => {
    let peer: EraPeer;
    const events = () => (serverName === 'modern' ? modern.events : legacy.events);

    beforeAll(async () => {
      peer = await connectEraPeer(sandbox, serverName, kind);
    });
    afterAll(async () => {
      await peer?.close();
      expect((await peer.exited).code).toBe(0);
      expect(peer.stderr()).not.toContain(SECRET);
    });

    it("speaks the client's era to the client and lists and calls the server's tools", async () => {
      expect(peer.protocolVersion()).toBe(clientVersion);
      expect(peer.serverName()).toBe(serverName === 'modern' ? 'era-test-server' : 'stateful-test-server');
      expect((await peer.tools()).filter((t) => TOOLS.includes(t)).sort()).toEqual(TOOLS);
      expect(await peer.call('echo', { message: 'through the bridge ü' })).toBe('through the bridge ü');
    });

    it('masks the stored token the server echoes', async () => {
      expect(await peer.call('whoami')).toBe('token=<redacted>');
    });

    it('carries an elicitation round trip: the question to the client, its answer to the server', async () => {
      const before = events().length;
      expect(await peer.call('ask-name')).toBe('hello Ada');
      expect(peer.answered).toContain('elicitation: What is your name?');
      expect(events().slice(before)).toContain('name: Ada');
    });

    it('carries progress notifications, in order, before the answer', async () => {
      const seen: number[] = [];
      const before = peer.heardProgress.length;
      expect(await peer.call('progress', { steps: 3 }, { onprogress: ({ progress }) => void seen.push(progress) })).toBe('done 3');
      expect(peer.heardProgress.slice(before)).toEqual([1, 2, 3]);
      // What reached the SDK's handler before the answer (see heardProgress) came in order.
      expect(seen).toEqual([1, 2, 3].slice(0, seen.length));
    });

    it('carries a cancellation to the server', async () => {
      const count = (event: string) => events().filter((e) => e === event).length;
      const [started, cancelled] = [count('slow started'), count('slow cancelled')];
      const controller = new AbortController();
      const call = peer.call('slow', {}, { signal: controller.signal });
      await expect.poll(() => count('slow started'), { timeout: 10_000 }).toBe(started + 1);
      controller.abort('the user pressed stop');
      await expect(call).rejects.toThrow();
      await expect.poll(() => count('slow cancelled'), { timeout: 10_000 }).toBe(cancelled + 1);
      // The bridge goes on.
      expect(await peer.call('echo', { message: 'after' })).toBe('after');
    });

    it("carries sampling (its prompt masked) and roots; the server's questions outside a request too", async () => {
      expect(await peer.call('sample')).toBe('model said: hi from the model');
      const sampling = peer.answered.find((a) => a.startsWith('sampling:'))!;
      expect(sampling).toContain('the key is <redacted>');
      expect(sampling).not.toContain(SECRET);
      expect(await peer.call('list-roots')).toBe('file:///work/project');
    });

    it('reads a resource (masked) and gets a prompt', async () => {
      expect(await peer.readResource('config://app')).toBe('theme=dark <redacted>');
      expect(await peer.prompt('greet', { name: 'Grace' })).toBe('Hello Grace');
    });

    it('hears of changes: tools list changes and updates of a resource it subscribed to', async () => {
      const heard: string[] = [];
      await peer.watch('config://app', (what) => heard.push(what));
      // A 2025 client's listen stream opens in the background: the change is published until it is heard.
      await expect
        .poll(
          async () => {
            await (serverName === 'modern' ? modern.toolsChanged() : legacy.toolsChanged());
            return heard.includes('tools');
          },
          { timeout: 10_000, interval: 300 },
        )
        .toBe(true);
      await expect
        .poll(
          async () => {
            await (serverName === 'modern' ? modern.resourceUpdated('config://app') : legacy.resourceUpdated('config://app'));
            return heard.includes('resource config://app');
          },
          { timeout: 10_000, interval: 300 },
        )
        .toBe(true);
    });
  });

  it('a 2025 client with a 2026-only server: its initialize is refused once, then remembered; each request carries the 2026 envelope and headers', async () => {
    await rm(join(sandbox.env.XDG_STATE_HOME!, 'mcp-cli', 'eras.json'), { force: true });
    const session = async () => {
      const before = modern.posts.length;
      const peer = await connectEraPeer(sandbox, 'modern', '2025');
      try {
        expect(await peer.call('echo', { message: 'x' })).toBe('x');
      } finally {
        await peer.close();
      }
      return modern.posts.slice(before);
    };
    const first = await session();
    expect(first.filter((p) => p.rpc === 'initialize')).toHaveLength(1);
    expect(first.map((p) => p.rpc)).toContain('server/discover');
    const second = await session();
    expect(second.map((p) => p.rpc)).not.toContain('initialize');
    expect(second.map((p) => p.rpc)).not.toContain('server/discover');
    const call = second.find((p) => p.rpc === 'tools/call')!;
    expect(call).toMatchObject({ protocolVersion: '2026-07-28', mcpMethod: 'tools/call', mcpName: 'echo' });
  });
});
