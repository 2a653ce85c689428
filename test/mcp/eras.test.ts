// Both protocol eras through the CLI's commands (in-process), against real servers: the SDK v2's (both eras, or 2026-07-28
// only) and the SDK v1's (2025 only). The era is settled by a probe, remembered in the state directory,
// asked again when it turns out wrong, and pinned by an entry's "protocol".
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { STDIO_SERVER, startTestMcpHttpServer, TEST_SERVER, type ServerEras, type TestMcpHttpServer } from '../helpers/mcp-servers.js';
import { createOAuthSandbox } from '../helpers/oauth-cli.js';
import { startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

const SECRET = 'eras-SENTINEL-4d1f09';
const ERAS: [ServerEras, string][] = [
  ['both', '2026-07-28'],
  ['2026', '2026-07-28'],
  ['2025', '2025-11-25'],
];
const header = { Authorization: 'Bearer ${TOKEN:bearer:key}' };

describe('ping, tools and call on both eras', () => {
  let sandbox: Sandbox;
  const servers = {} as Record<ServerEras, TestMcpHttpServer>;
  /** A server whose name is the token it was sent (a badly behaved one), speaking both eras. */
  let echoing: TestMcpHttpServer;
  const erasFile = () => join(sandbox.home, '.local', 'state', 'mcp-cli', 'eras.json');
  const discovers = (server: TestMcpHttpServer) => server.posts.filter((p) => p.rpc === 'server/discover').length;
  const noSecret = (...texts: string[]) => {
    for (const t of texts) expect(t).not.toContain(SECRET);
  };

  beforeAll(async () => {
    for (const [eras] of ERAS) servers[eras] = await startTestMcpHttpServer({ token: SECRET, eras });
    echoing = await startTestMcpHttpServer({ token: SECRET, spec: { ...TEST_SERVER, name: (auth) => `echo ${auth?.token ?? ''}` } });
    sandbox = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: 'eras-passphrase' }, { inProcess: true });
    const set = await sandbox.run(['token', 'set', 'key', '--type', 'bearer'], { input: SECRET });
    expect(set.code, set.stderr).toBe(0);
    await writeOwnConfig(sandbox.home, {
      mcpServers: {
        ...Object.fromEntries(ERAS.map(([eras]) => [`s${eras}`, { url: servers[eras].url, headers: header }])),
        echoing: { url: echoing.url, headers: header },
      },
    });
  });
  afterAll(async () => {
    for (const server of [...Object.values(servers), echoing]) await server?.close();
    await sandbox?.cleanup();
  });

  describe.each(ERAS)('a server speaking %s', (eras, version) => {
    it(`ping settles ${version} with one probe and says so`, async () => {
      const r = await sandbox.run(['ping', `s${eras}`, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ name: 'mcp-cli-test-server', era: version.slice(0, 4), protocolVersion: version });
      // The probe first; the 2026 era has no ping, its liveness check is server/discover again.
      const rpcs = servers[eras].posts.map((p) => p.rpc);
      if (version === '2026-07-28') expect(rpcs).toEqual(['server/discover', 'server/discover']);
      else expect(rpcs).toEqual(['server/discover', 'initialize', 'notifications/initialized', 'ping']);
    });

    it('tools and call work, and send no probe: the era is remembered', async () => {
      const before = servers[eras].posts.length;
      const tools = await sandbox.run(['tools', `s${eras}`]);
      expect(tools.code, tools.stderr).toBe(0);
      expect(tools.stdout).toContain('echo\tmessage: string\tEcho a message back\n');
      for (let i = 0; i < 2; i++) {
        const call = await sandbox.run(['call', `s${eras}`, 'echo', '--args', `{"message":"hello ${i}"}`]);
        expect(call.code, call.stderr).toBe(0);
        expect(call.stdout).toBe(`hello ${i}\n`);
      }
      const sent = servers[eras].posts.slice(before);
      expect(sent.filter((p) => p.rpc === 'server/discover')).toEqual([]);
      expect(sent.filter((p) => p.rpc === 'tools/call').map((p) => p.protocolVersion)).toEqual([version, version]);
      if (version === '2026-07-28') {
        // Every 2026 request carries the standard headers (SEP-2243).
        expect(sent.filter((p) => p.rpc === 'tools/call').every((p) => p.mcpMethod === 'tools/call' && p.mcpName === 'echo')).toBe(true);
        expect(sent.some((p) => p.rpc === 'initialize')).toBe(false);
      } else expect(sent.filter((p) => p.rpc === 'initialize').length).toBe(3);
    });

    it('a server that echoes the token is masked', async () => {
      const r = await sandbox.run(['call', `s${eras}`, 'whoami']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('token=<redacted>\n');
      const json = await sandbox.run(['call', `s${eras}`, 'whoami', '--json']);
      expect(json.stdout).toContain('token=<redacted>');
      noSecret(r.stdout, r.stderr, json.stdout, json.stderr);
    });
  });

  it('servers and config show say which protocol each server spoke, from what was remembered', async () => {
    const servers = await sandbox.run(['servers', '--json']);
    expect(servers.code, servers.stderr).toBe(0);
    const rows = (JSON.parse(servers.stdout) as { servers: { name: string; protocol: { setting: string; version: string | null } }[] }).servers;
    expect(Object.fromEntries(rows.map((r) => [r.name, [r.protocol.setting, r.protocol.version]]))).toMatchObject({
      sboth: ['auto', '2026-07-28'],
      s2026: ['auto', '2026-07-28'],
      s2025: ['auto', '2025-11-25'],
    });
    const table = await sandbox.run(['servers']);
    expect(table.stdout).toMatch(/^s2025\tstreamable-http\t2025-11-25\t/m);
    const show = await sandbox.run(['config', 'show', 's2026']);
    expect(show.stdout).toMatch(/^ {2}protocol: auto; the server spoke 2026-07-28 \(checked \d{4}-/m);
  });

  it('the remembered eras are a private file holding no secret, even from a server that echoes one in its name', async () => {
    const ping = await sandbox.run(['ping', 'echoing']);
    expect(ping.code, ping.stderr).toBe(0);
    expect(ping.stdout).toMatch(/^echo <redacted> 1\.2\.3: round trip/);
    const text = await readFile(erasFile(), 'utf8');
    expect(text).toContain('"echo <redacted>"');
    noSecret(text, ping.stdout, ping.stderr);
    const { stat } = await import('node:fs/promises');
    expect((await stat(erasFile())).mode & 0o777).toBe(0o600);
    expect((await stat(join(erasFile(), '..'))).mode & 0o777).toBe(0o700);
  });

  it('a verdict past its age limit is asked again', async () => {
    const data = JSON.parse(await readFile(erasFile(), 'utf8')) as { servers: Record<string, { checkedAt: string }> };
    for (const record of Object.values(data.servers)) record.checkedAt = new Date(Date.now() - 25 * 3_600_000).toISOString();
    await writeFile(erasFile(), JSON.stringify(data));
    const before = discovers(servers.both);
    const r = await sandbox.run(['call', 'sboth', 'echo', '--args', '{"message":"again"}']);
    expect(r.code, r.stderr).toBe(0);
    expect(discovers(servers.both)).toBe(before + 1);
  });
});

describe('a remembered era that turns out wrong', () => {
  let sandbox: Sandbox;
  let server: TestMcpHttpServer;
  const rpcs = (from: number) => server.posts.slice(from).map((p) => p.rpc);
  const version = async () => {
    const r = await sandbox.run(['servers', '--json']);
    return (JSON.parse(r.stdout) as { servers: { protocol: { version: string | null } }[] }).servers[0]!.protocol.version;
  };

  beforeEach(async () => {
    server = await startTestMcpHttpServer({ open: true });
    sandbox = await createSandbox({}, { inProcess: true });
    await writeOwnConfig(sandbox.home, { mcpServers: { moving: { url: server.url } } });
  });
  afterEach(async () => {
    await server.close();
    await sandbox.cleanup();
  });

  it('2025, then the server moves to 2026-07-28 only: initialize is refused, one probe, the call goes through', async () => {
    server.setEras('2025');
    expect((await sandbox.run(['ping', 'moving'])).code).toBe(0);
    expect(await version()).toBe('2025-11-25');
    server.setEras('2026');
    const from = server.posts.length;
    const r = await sandbox.run(['call', 'moving', 'echo', '--args', '{"message":"upgraded"}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('upgraded\n');
    expect(rpcs(from)).toEqual(['initialize', 'server/discover', 'tools/list', 'tools/call']);
    expect(await version()).toBe('2026-07-28');
  });

  it('2026-07-28, then the server goes back to 2025 only: the first request is refused, one probe, the call goes through', async () => {
    expect((await sandbox.run(['ping', 'moving'])).code).toBe(0);
    expect(await version()).toBe('2026-07-28');
    server.setEras('2025');
    const from = server.posts.length;
    const r = await sandbox.run(['call', 'moving', 'echo', '--args', '{"message":"rolled back"}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('rolled back\n');
    expect(rpcs(from).filter((m) => m === 'server/discover')).toEqual(['server/discover']);
    expect(rpcs(from).slice(0, 2)).toEqual(['tools/list', 'server/discover']);
    expect(await version()).toBe('2025-11-25');
  });

  it('a server that refuses every version is asked again once, not in a loop, and the error says what it answered', async () => {
    server.setEras('2025');
    expect((await sandbox.run(['ping', 'moving'])).code).toBe(0);
    server.setEras('none');
    const from = server.posts.length;
    const r = await sandbox.run(['call', 'moving', 'echo', '--args', '{"message":"x"}']);
    expect(r.code).toBe(1);
    // The probe finds no 2026 era and falls back to initialize, which is refused again: then it stops.
    expect(rpcs(from)).toEqual(['initialize', 'server/discover', 'initialize']);
    expect(r.stderr).toMatch(/server 'moving' \(http:\/\/127\.0\.0\.1:\d+\/mcp\) answered HTTP 400/);
  });
});

describe('"protocol" in an entry', () => {
  let sandbox: Sandbox;
  const servers = {} as Record<ServerEras, TestMcpHttpServer>;
  const rpcs = (eras: ServerEras, from: number) => servers[eras].posts.slice(from).map((p) => p.rpc);

  beforeAll(async () => {
    for (const [eras] of ERAS) servers[eras] = await startTestMcpHttpServer({ open: true, eras });
    sandbox = await createSandbox({}, { inProcess: true });
    await writeOwnConfig(sandbox.home, {
      mcpServers: {
        'modern-on-2025': { url: servers['2025'].url, protocol: '2026-07-28' },
        'legacy-on-2026': { url: servers['2026'].url, protocol: '2025-11-25' },
        'legacy-on-both': { url: servers.both.url, protocol: '2025-11-25' },
        'modern-on-both': { url: servers.both.url, protocol: '2026-07-28' },
        local: { command: process.execPath, args: [STDIO_SERVER] },
        'local-auto': { command: process.execPath, args: [STDIO_SERVER], protocol: 'auto' },
        'local-2025-auto': { command: process.execPath, args: [STDIO_SERVER], protocol: 'auto', env: { STDIO_SERVER_ERAS: '2025' } },
        'local-2025-pinned': { command: process.execPath, args: [STDIO_SERVER], protocol: '2026-07-28', env: { STDIO_SERVER_ERAS: '2025' } },
        sse: { url: 'http://127.0.0.1:9/sse', transport: 'sse' },
      },
    });
  });
  afterAll(async () => {
    for (const server of Object.values(servers)) await server?.close();
    await sandbox?.cleanup();
  });

  it('a 2026-07-28 pin against a 2025 server never falls back: one probe, no initialize, a clear error', async () => {
    const from = servers['2025'].posts.length;
    const r = await sandbox.run(['call', 'modern-on-2025', 'echo', '--args', '{"message":"x"}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/server 'modern-on-2025' \(http:[^)]+\) does not speak protocol 2026-07-28, which its entry pins \("protocol"\)/);
    expect(r.stderr).toContain('hint: set "protocol" to "auto" (or "2025-11-25") in its entry');
    expect(rpcs('2025', from)).toEqual(['server/discover']);
  });

  it('a 2025-11-25 pin against a 2026-only server sends initialize and nothing else', async () => {
    const from = servers['2026'].posts.length;
    const r = await sandbox.run(['tools', 'legacy-on-2026']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not speak protocol 2025-11-25, which its entry pins');
    expect(rpcs('2026', from)).toEqual(['initialize']);
  });

  it.each([
    ['legacy-on-both', '2025-11-25', 'initialize'],
    ['modern-on-both', '2026-07-28', 'server/discover'],
  ])('%s speaks %s to a server of both eras', async (name, version, opening) => {
    const from = servers.both.posts.length;
    const r = await sandbox.run(['ping', name, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ protocolVersion: version });
    expect(rpcs('both', from)[0]).toBe(opening);
    expect(rpcs('both', from)).not.toContain(opening === 'initialize' ? 'server/discover' : 'initialize');
  });

  describe('on stdio', () => {
    const starts = () => join(sandbox.home, 'starts.log');
    const count = async () => (await readFile(starts(), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    const run = async (args: string[]) => {
      await rm(starts(), { force: true });
      const r = await sandbox.run(args, { env: { STDIO_SERVER_STARTS: starts() } });
      expect(r.code, r.stderr).toBe(0);
      return { result: JSON.parse(r.stdout) as { protocolVersion: string }, starts: await count() };
    };
    // The entries' env reaches the server only through "env": the starts log goes there too.
    beforeAll(async () => {
      const config = JSON.parse(await readFile(join(sandbox.home, '.config', 'mcp-cli', 'server_config.json'), 'utf8')) as {
        mcpServers: Record<string, { command?: string; env?: Record<string, string> }>;
      };
      for (const entry of Object.values(config.mcpServers)) if (entry.command) entry.env = { ...entry.env, STDIO_SERVER_STARTS: '${STDIO_SERVER_STARTS}' };
      await writeOwnConfig(sandbox.home, config);
    });

    it('keeps the 2025 opening without "protocol": one process, no probe', async () => {
      expect(await run(['ping', 'local', '--json'])).toEqual({ result: expect.objectContaining({ protocolVersion: '2025-11-25' }), starts: 1 });
    });

    it('"auto" probes (in a second process), remembers, and the next command starts one process only', async () => {
      expect(await run(['ping', 'local-auto', '--json'])).toEqual({ result: expect.objectContaining({ protocolVersion: '2026-07-28' }), starts: 2 });
      expect(await run(['ping', 'local-auto', '--json'])).toEqual({ result: expect.objectContaining({ protocolVersion: '2026-07-28' }), starts: 1 });
    });

    it('"auto" falls back to 2025 with a 2025-only server', async () => {
      expect((await run(['ping', 'local-2025-auto', '--json'])).result.protocolVersion).toBe('2025-11-25');
    });

    it('a 2026-07-28 pin against a 2025-only server fails', async () => {
      const r = await sandbox.run(['ping', 'local-2025-pinned'], { env: { STDIO_SERVER_STARTS: starts() } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('does not speak protocol 2026-07-28, which its entry pins');
    });
  });

  it('the SSE transport, which is 2025 only, refuses a 2026 setting in the config', async () => {
    const path = await writeOwnConfig(sandbox.home, { mcpServers: { sse: { url: 'http://127.0.0.1:9/sse', transport: 'sse', protocol: 'auto' } } });
    const r = await sandbox.run(['servers']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${path}: mcpServers.sse: "protocol": "auto" needs streamable HTTP; the SSE transport speaks only the 2025 protocol ("2025-11-25")`,
    );
    await writeOwnConfig(sandbox.home, { mcpServers: { bad: { url: 'http://127.0.0.1:9/mcp', protocol: '2024-11-05' } } });
    const bad = await sandbox.run(['servers']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('mcpServers.bad.protocol');
  });
});

describe.each([
  ['2026', '2026-07-28'],
  ['2025', '2025-11-25'],
] as const)('OAuth with a server of the %s era', (eras, version) => {
  let servers: OAuthServers;
  let sandbox: Sandbox;

  beforeAll(async () => {
    servers = await startOAuthServers({ eras });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: {} } });
    const login = await sandbox.run(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('calls with the stored login, and refreshes it after the server expires it', async () => {
    const ping = await sandbox.run(['ping', 'notes', '--json']);
    expect(ping.code, ping.stderr).toBe(0);
    expect(JSON.parse(ping.stdout)).toMatchObject({ protocolVersion: version });
    servers.provider.expireAccessTokens();
    const call = await sandbox.run(['call', 'notes', 'whoami', '--args', '{"greeting":"hi"}']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout).toMatch(/^hi [\w-]+\n$/);
    expect(servers.counters.refreshGrant).toBe(1);
  });
});
