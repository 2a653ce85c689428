// What a careless server does with the secrets it was given, against real `mcp-cli run`, `call` and
// `tools` processes: it echoes them URL-encoded, form-encoded, in base64 at any offset, as a Basic
// header it builds itself, split across content items, messages and stderr writes far apart, in a
// JSON line with a duplicate key, nested thousands of levels deep, and it echoes `${VAR}` values.
// None of it reaches the client, the terminal or the log whole.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { CLI, createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { plainToken, seedTokens } from '../helpers/seed-store.js';
import { authOf, startTestMcpHttpServer, type ServerEras, type TestMcpHttpServer, type TestServerSpec } from '../helpers/mcp-servers.js';
import { connectThroughRun, type RunClient } from '../helpers/run-client.js';

const ECHO_SERVER = new URL('../fixtures/echo-server.mjs', import.meta.url).pathname;
// Characters that every encoding spells differently: a space, "/", "+", "=", "&", ":" and a non-ASCII letter.
const SECRET = 'mk SENTINEL/+é=&:9f3c2a71';
const PASSWORD = 'corp-PASS-SENTINEL-5e1f';
const VARIABLE = 'var-SENTINEL-8d2c41b7';
// A bearer token as an HTTP header can carry it: no space, Latin-1 only.
const HTTP_TOKEN = 'ht-SENTINEL/+=&:9f3c2a71xyz';
const SHORT = 'abc12';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
/** Every way the fixtures spell a value, whole. */
function spellings(value: string): string[] {
  return [
    value,
    encodeURIComponent(value),
    encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ v: value }).toString().slice(2),
    b64(value),
    Buffer.from(value, 'utf8').toString('base64url'),
  ];
}
/** No spelling of any sentinel, and nothing that decodes (as base64) to the middle of one. */
function expectClean(text: string): void {
  for (const secret of [SECRET, PASSWORD, VARIABLE, HTTP_TOKEN]) {
    for (const spelled of spellings(secret)) expect(text).not.toContain(spelled);
    for (const word of text.split(/[^A-Za-z0-9+/=_-]+/)) {
      for (const decoded of [Buffer.from(word, 'base64'), Buffer.from(word, 'base64url')]) expect(decoded.toString('utf8')).not.toContain(secret.slice(3, -3));
    }
  }
}
const textsOf = (result: unknown) => (result as { content: { text: string }[] }).content.map((c) => c.text);

/** mcp-cli run as a bare process, for what the SDK client hides: the raw lines it writes. */
function rawRun(sandbox: Sandbox, name: string) {
  const child = spawn(process.execPath, [CLI, 'run', name], { cwd: sandbox.home, env: sandbox.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return { child, exited, send, lines: () => out.split('\n').filter((l) => l !== ''), err: () => err };
}

describe('masking what a careless stdio server echoes', () => {
  let sandbox: Sandbox;
  const env = { MASK_VAR: VARIABLE, SHORT_VAR: SHORT };

  beforeAll(async () => {
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'masking-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted', ...env });
    const key = await sandbox.run(['token', 'set', 'mask-key', '--value', '-'], { input: SECRET });
    expect(key.code, key.stderr).toBe(0);
    const basic = await sandbox.run(['token', 'set', 'corp', '--type', 'basic', '--username', 'alice', '--value', '-'], { input: PASSWORD });
    expect(basic.code, basic.stderr).toBe(0);
    await writeOwnConfig(sandbox.home, {
      mcpServers: {
        echo: {
          command: process.execPath,
          args: [ECHO_SERVER],
          env: {
            API_KEY: '${TOKEN:bearer:mask-key}',
            USER_NAME: '${TOKEN:generic:corp:username}',
            PASSWORD: '${TOKEN:generic:corp:password}',
            VAR_KEY: '${MASK_VAR}',
            SHORT: '${SHORT_VAR}',
            HOME_DIR: '${HOME}',
          },
        },
      },
    });
  });
  afterAll(() => sandbox.cleanup());

  describe('through mcp-cli run', () => {
    let run: RunClient;
    const logged: string[] = [];
    beforeAll(async () => {
      run = await connectThroughRun(sandbox, 'echo', {
        env,
        setup: (client) => client.setNotificationHandler('notifications/message', (n) => void logged.push(String(n.params.data))),
      });
    });
    afterAll(async () => {
      await run?.close();
      expectClean(run.stderr());
    });
    const call = async (name: string, args: Record<string, unknown>) => textsOf(await run.client.callTool({ name, arguments: args }));

    it.each(['plain', 'url', 'url-lower', 'form', 'base64', 'base64url'])('masks the token echoed %s', async (encoding) => {
      expect(await call('echo', { name: 'API_KEY', encoding })).toEqual(['got <redacted> end']);
    });

    it.each(['', 'k', 'k=', 'key=', 'Bearer '])('masks base64 of the token after %j (every offset in the encoded text)', async (before) => {
      for (const encoding of ['base64', 'base64url']) {
        const [text] = await call('echo', { name: 'API_KEY', encoding, before, after: ';more' });
        expectClean(text!);
        expect(text).toContain('<redacted>');
      }
    });

    it('masks the Basic header that the server builds from a username and a password it got apart', async () => {
      expect(await call('basic', {})).toEqual(['Authorization: Basic <redacted>']);
    });

    it('masks ${VAR} values of 8 characters or more, also encoded; shorter ones and HOME are left alone', async () => {
      for (const encoding of ['plain', 'url', 'base64']) expect(await call('echo', { name: 'VAR_KEY', encoding })).toEqual(['got <redacted> end']);
      expect(await call('echo', { name: 'SHORT', encoding: 'plain' })).toEqual([`got ${SHORT} end`]);
      expect(await call('echo', { name: 'HOME_DIR', encoding: 'plain' })).toEqual([`got ${sandbox.home} end`]);
    });

    it.each([1, 4, 12, SECRET.length - 1])('masks both parts of a token split across two content items at %i', async (at) => {
      expect(await call('split-items', { name: 'API_KEY', at })).toEqual(['first <redacted>', '<redacted> second']);
    });

    it.each([4, 12, SECRET.length - 4])('a token split across two messages at %i: each part of 8 characters or more is masked', async (at) => {
      logged.length = 0;
      const [text] = await call('split-messages', { name: 'API_KEY', at });
      await expect.poll(() => logged.length).toBe(1);
      expect(logged[0]).toBe(at >= 8 ? 'first <redacted>' : `first ${SECRET.slice(0, at)}`);
      expect(text).toBe(SECRET.length - at >= 8 ? '<redacted> second' : `${SECRET.slice(at)} second`);
      expectClean(logged[0]! + text);
    });

    it.each([4, 12])('masks a token written to stderr in two pieces 300 ms apart, cut at %i', async (at) => {
      const before = run.stderr().length;
      await call('stderr-split', { name: 'API_KEY', at, pause: 300 });
      await expect.poll(() => run.stderr().slice(before)).toContain(' done\n');
      expect(run.stderr().slice(before)).toBe('debug: <redacted> done\n');
    });
  });

  /** `run` answering the calls, in a process of its own; resolves with its lines once the last call is answered and it has exited. */
  async function rawCalls(calls: [string, object][]): Promise<{ lines: string[]; err: string }> {
    const run = rawRun(sandbox, 'echo');
    calls.forEach(([name, args], i) => run.send({ jsonrpc: '2.0', id: i + 2, method: 'tools/call', params: { name, arguments: args } }));
    const last = `"id":${calls.length + 1}}`;
    await expect.poll(() => run.lines().filter((l) => l.endsWith(last)).length, { timeout: 20_000 }).toBe(1);
    run.child.stdin.end();
    expect(await run.exited).toBe(0);
    const lines = run.lines();
    for (const line of lines) expectClean(line.replace(/\\u([0-9a-f]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))));
    expectClean(run.err());
    // The SDK writes a result's keys in its own order: the id comes last. Id 1 is initialize's.
    expect(lines.filter((l) => /^\{"result":.*"id":\d+\}$/.test(l))).toHaveLength(1 + calls.length);
    return { lines, err: run.err() };
  }
  const logsOf = (lines: string[]) => lines.filter((l) => l.includes('notifications/message'));

  it('rewrites a JSON line whose duplicate key holds the token, plainly or in escapes', async () => {
    const { lines } = await rawCalls([
      ['duplicate-key', { name: 'API_KEY', escaped: false }],
      ['duplicate-key', { name: 'API_KEY', escaped: true }],
    ]);
    // What any parser makes of them, whether it keeps the first value of a key or the last.
    expect(logsOf(lines)).toEqual(Array(2).fill('{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"nothing here"}}'));
  });

  it('masks and relays a message nested 20000 levels deep, and goes on', async () => {
    const { lines } = await rawCalls([
      ['deep', { name: 'API_KEY', depth: 20_000 }],
      ['echo', { name: 'API_KEY', encoding: 'plain' }],
    ]);
    expect(logsOf(lines)).toEqual([
      `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":${'['.repeat(20_000)}"deep\\n<redacted>"${']'.repeat(20_000)}}}`,
    ]);
  });

  describe('mcp-cli call and tools', () => {
    it('call masks every spelling of the token, split items, the Basic header and ${VAR} values', async () => {
      for (const encoding of ['plain', 'url', 'form', 'base64url']) {
        const r = await sandbox.run(['call', 'echo', 'echo', '--args', JSON.stringify({ name: 'API_KEY', encoding, before: 'k=' })]);
        expect(r.code, r.stderr).toBe(0);
        expectClean(r.stdout + r.stderr);
        expect(r.stdout).toContain('<redacted>');
      }
      const split = await sandbox.run(['call', 'echo', 'split-items', '--args', JSON.stringify({ name: 'API_KEY', at: 5 })]);
      expect(split.stdout).toBe('first <redacted>\n<redacted> second\n');
      const json = await sandbox.run(['call', 'echo', 'split-items', '--json', '--args', JSON.stringify({ name: 'API_KEY', at: 5 })]);
      expectClean(json.stdout);
      expect(JSON.parse(json.stdout).content.map((c: { text: string }) => c.text)).toEqual(['first <redacted>', '<redacted> second']);
      expect((await sandbox.run(['call', 'echo', 'basic'])).stdout).toBe('Authorization: Basic <redacted>\n');
      expect((await sandbox.run(['call', 'echo', 'echo', '--args', JSON.stringify({ name: 'VAR_KEY', encoding: 'url' })])).stdout).toBe('got <redacted> end\n');
    });

    it('call masks a token written to stderr in two pieces 300 ms apart', async () => {
      const r = await sandbox.run(['call', 'echo', 'stderr-split', '--args', JSON.stringify({ name: 'API_KEY', at: 12, pause: 300 })]);
      expect(r.code, r.stderr).toBe(0);
      expectClean(r.stderr);
      expect(r.stderr).toContain('debug: <redacted> done');
    });

    it('tools masks encoded tokens in descriptions, in the table and in --json', async () => {
      for (const args of [
        ['tools', 'echo'],
        ['tools', 'echo', '--json'],
      ]) {
        const r = await sandbox.run(args);
        expect(r.code, r.stderr).toBe(0);
        expectClean(r.stdout);
        expect(r.stdout).toContain('Uses <redacted> and ');
      }
    });
  });
});

/** An HTTP server that echoes the bearer token it got, encoded, split across items and across messages. */
const echoSpec: TestServerSpec = {
  name: 'echo-http',
  version: '1.0.0',
  capabilities: { logging: {} },
  register(server) {
    const token = (ctx: Parameters<typeof authOf>[0]) => authOf(ctx)?.token ?? '';
    server.registerTool(
      'echo',
      { description: 'Echo the token, encoded', inputSchema: z.object({ encoding: z.enum(['url', 'base64']) }) },
      async ({ encoding }, ctx) => ({
        content: [{ type: 'text' as const, text: `got ${encoding === 'url' ? encodeURIComponent(token(ctx)) : b64(`Bearer ${token(ctx)}`)} end` }],
      }),
    );
    server.registerTool('split-items', { description: 'The token in two text items', inputSchema: z.object({ at: z.number() }) }, async ({ at }, ctx) => ({
      content: [
        { type: 'text' as const, text: `first ${token(ctx).slice(0, at)}` },
        { type: 'text' as const, text: `${token(ctx).slice(at)} second` },
      ],
    }));
    server.registerTool(
      'split-messages',
      { description: 'The token in a log message and the result', inputSchema: z.object({ at: z.number() }) },
      async ({ at }, ctx) => {
        const notification = { method: 'notifications/message' as const, params: { level: 'info' as const, data: `first ${token(ctx).slice(0, at)}` } };
        const sent = ctx as { mcpReq?: { notify(n: object): Promise<void> }; sendNotification?(n: object): Promise<void> };
        await (sent.mcpReq ? sent.mcpReq.notify(notification) : sent.sendNotification!(notification));
        return { content: [{ type: 'text' as const, text: `${token(ctx).slice(at)} second` }] };
      },
    );
  },
};

describe.each<[string, ServerEras]>([
  ['2026 (SDK v2 server, client negotiating)', 'both'],
  ['2025 (SDK v1 server)', '2025'],
])('masking what a careless HTTP server echoes, era %s', (_label, eras) => {
  let sandbox: Sandbox;
  let http: TestMcpHttpServer;
  beforeAll(async () => {
    http = await startTestMcpHttpServer({ token: HTTP_TOKEN, eras, spec: echoSpec });
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'masking-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' });
    await seedTokens(sandbox.env.XDG_DATA_HOME!, 'masking-passphrase', [plainToken('bearer', 'web', HTTP_TOKEN)]);
    await writeOwnConfig(sandbox.home, { mcpServers: { web: { url: http.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:web}' } } } });
  });
  afterAll(async () => {
    await http?.close();
    await sandbox?.cleanup();
  });

  it('through mcp-cli run: encoded, split across items, split across messages', async () => {
    const logged: string[] = [];
    const run = await connectThroughRun(sandbox, 'web', {
      ...(eras === 'both' ? { negotiation: { mode: 'auto' } } : {}),
      setup: (client) => client.setNotificationHandler('notifications/message', (n) => void logged.push(String(n.params.data))),
    });
    try {
      expect(run.client.getProtocolEra()).toBe(eras === 'both' ? 'modern' : 'legacy');
      const call = async (name: string, args: object) => textsOf(await run.client.callTool({ name, arguments: args as Record<string, unknown> }));
      expect(await call('echo', { encoding: 'url' })).toEqual(['got <redacted> end']);
      const [base64] = await call('echo', { encoding: 'base64' });
      expectClean(base64!);
      expect(await call('split-items', { at: 3 })).toEqual(['first <redacted>', '<redacted> second']);
      expect(await call('split-messages', { at: 9 })).toEqual(['<redacted> second']);
      await expect.poll(() => logged).toEqual(['first <redacted>']);
    } finally {
      await run.close();
    }
    expectClean(run.stderr());
  });

  it('through mcp-cli call', async () => {
    const r = await sandbox.run(['call', 'web', 'split-items', '--args', '{"at":3}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('first <redacted>\n<redacted> second\n');
    const encoded = await sandbox.run(['call', 'web', 'echo', '--args', '{"encoding":"base64"}']);
    expect(encoded.code, encoded.stderr).toBe(0);
    expectClean(encoded.stdout);
    expect(encoded.stdout).toContain('<redacted>');
  });
});
