import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '@modelcontextprotocol/client';
import { startCatcher, type Catcher } from '../helpers/catcher.js';
import { CLI, createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { plainToken, seedTokens } from '../helpers/seed-store.js';
import { sha256, startTestMcpHttpServer, type TestMcpHttpServer } from '../helpers/mcp-servers.js';
import { connectThroughRun, procView } from '../helpers/run-client.js';
import { startStatefulMcpServer, type StatefulServer } from '../helpers/stateful-mcp-server.js';

// `mcp-cli run NAME` for HTTP entries: a bridge between an MCP client on stdio and the server.
const SECRET = 'http-run-SENTINEL-8d2e61';
const STATEFUL_SECRET = 'stateful-run-SENTINEL-0b7a3c';
const textOf = (result: unknown) => (result as { content: { text: string }[] }).content[0]!.text;

describe('mcp-cli run: a bridge to an HTTP server', () => {
  let sandbox: Sandbox;
  let http: TestMcpHttpServer;
  let sse: TestMcpHttpServer;
  let stateful: StatefulServer;
  let flaky: TestMcpHttpServer;
  let downUrl: string;
  let hostile: Catcher;

  beforeAll(async () => {
    http = await startTestMcpHttpServer({ token: SECRET });
    sse = await startTestMcpHttpServer({ token: SECRET, transport: 'sse' });
    stateful = await startStatefulMcpServer({ token: STATEFUL_SECRET });
    flaky = await startTestMcpHttpServer({ token: SECRET });
    // A port that nothing listens on any more.
    const gone = await startTestMcpHttpServer({ open: true });
    downUrl = gone.url;
    await gone.close();
    // A server whose error answer would set the terminal's title and clear its screen.
    hostile = await startCatcher(() => ({ status: 500, body: 'boom\u001b]0;PWNED\u0007\u001b[2J\nsecond line', headers: { 'content-type': 'text/plain' } }));
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'run-http-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' });
    await seedTokens(sandbox.env.XDG_DATA_HOME!, 'run-http-passphrase', [
      plainToken('bearer', 'web', SECRET),
      plainToken('bearer', 'stateful', STATEFUL_SECRET),
      plainToken('bearer', 'wrong', 'not-the-token'),
    ]);
    await writeOwnConfig(sandbox.home, {
      mcpServers: {
        web: { url: http.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:web}' } },
        legacy: { type: 'sse', url: sse.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:web}' } },
        stateful: { type: 'http', url: stateful.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:stateful}' } },
        rejected: { url: http.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:wrong}' } },
        down: { url: downUrl },
        flaky: { url: flaky.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:web}' } },
        missing: { url: http.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:nope}' } },
        hostile: { url: `${hostile.origin}/mcp` },
      },
    });
  });
  afterAll(async () => {
    await Promise.all([http.close(), sse.close(), stateful.close(), flaky.close(), hostile.close()]);
    await sandbox.cleanup();
  });

  it('lists and calls tools over streamable HTTP with exactly the stored token; no secret in argv or environ', async () => {
    const before = http.authorizations.length;
    const run = await connectThroughRun(sandbox, 'web');
    try {
      expect(run.client.getServerVersion()?.name).toBe('mcp-cli-test-server');
      const { tools } = await run.client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['echo', 'token-sha256', 'whoami']);
      expect(textOf(await run.client.callTool({ name: 'echo', arguments: { message: 'hello ü' } }))).toBe('hello ü');
      expect(textOf(await run.client.callTool({ name: 'token-sha256' }))).toBe(sha256(SECRET));
      const own = procView(run.pid);
      expect(own.cmdline).not.toContain(SECRET);
      expect(own.environ).not.toContain(SECRET);
    } finally {
      await run.close();
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const sent = http.authorizations.slice(before);
    expect(sent.length).toBeGreaterThanOrEqual(4);
    expect(new Set(sent)).toEqual(new Set([`Bearer ${SECRET}`]));
    expect(run.stderr()).not.toContain(SECRET);
  });

  it('masks the token a server echoes; --no-masking shows it', async () => {
    const masked = await connectThroughRun(sandbox, 'web');
    try {
      expect(textOf(await masked.client.callTool({ name: 'whoami' }))).toBe('token=<redacted>');
    } finally {
      await masked.close();
    }
    const unmasked = await connectThroughRun(sandbox, 'web', { args: ['--no-masking'] });
    try {
      expect(textOf(await unmasked.client.callTool({ name: 'whoami' }))).toBe(`token=${SECRET}`);
    } finally {
      await unmasked.close();
    }
  });

  it('bridges the older SSE transport', async () => {
    const run = await connectThroughRun(sandbox, 'legacy');
    try {
      expect(textOf(await run.client.callTool({ name: 'echo', arguments: { message: 'over sse' } }))).toBe('over sse');
      expect(textOf(await run.client.callTool({ name: 'whoami' }))).toBe('token=<redacted>');
    } finally {
      await run.close();
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
  });

  it("relays the session id and protocol version, notifications, and the server's own requests both ways", async () => {
    const logs: unknown[] = [];
    const run = await connectThroughRun(sandbox, 'stateful', {
      capabilities: { elicitation: { form: {} }, sampling: {}, roots: {} },
      setup: (client) => {
        client.setNotificationHandler('notifications/message', (n) => void logs.push(n.params.data));
        client.setRequestHandler('elicitation/create', async (request) => ({ action: 'accept', content: { name: `Ada (asked: ${request.params.message})` } }));
        client.setRequestHandler('sampling/createMessage', async (request) => ({
          role: 'assistant',
          model: 'test-model',
          content: { type: 'text', text: `hi (prompt had ${JSON.stringify(request.params.messages[0]!.content)})` },
        }));
        client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///work/project', name: 'project' }] }));
      },
    });
    try {
      // An elicitation on the POST stream of the call: the client's answer reaches the server.
      expect(textOf(await run.client.callTool({ name: 'ask-name' }))).toBe('hello Ada (asked: What is your name?)');
      expect(stateful.answers['elicitation/create']).toEqual([{ action: 'accept', content: { name: 'Ada (asked: What is your name?)' } }]);
      // A sampling request that quotes the server's secret: masked on the way to the client (the model).
      const sampled = textOf(await run.client.callTool({ name: 'sample' }));
      expect(sampled).toContain('the key is <redacted>');
      expect(sampled).not.toContain(STATEFUL_SECRET);
      // roots/list goes over the GET event stream (it belongs to no request of the client).
      await expect.poll(() => stateful.requests.some((r) => r.method === 'GET'), { timeout: 10_000 }).toBe(true);
      expect(textOf(await run.client.callTool({ name: 'list-roots' }))).toBe('file:///work/project');
      expect(stateful.answers['roots/list']).toEqual([{ roots: [{ uri: 'file:///work/project', name: 'project' }] }]);
      // A notification over the GET stream, masked too.
      await run.client.callTool({ name: 'notify', arguments: { message: `note with ${STATEFUL_SECRET}` } });
      await expect.poll(() => logs, { timeout: 10_000 }).toContain('note with <redacted>');
    } finally {
      await run.close();
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const session = stateful.requests.find((r) => r.sessionId !== undefined)!.sessionId;
    const after = stateful.requests.filter((r) => r.rpc !== 'initialize');
    expect(after.length).toBeGreaterThan(5);
    for (const r of after) {
      expect(r.sessionId).toBe(session);
      expect(r.authorization).toBe(`Bearer ${STATEFUL_SECRET}`);
    }
    // Every request after initialize names the protocol version that initialize settled on.
    const versions = new Set(after.map((r) => r.protocolVersion));
    expect(versions.size).toBe(1);
    expect([...versions][0]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Leaving ends the session (DELETE).
    expect(stateful.requests.some((r) => r.method === 'DELETE' && r.sessionId === session)).toBe(true);
  });

  it('resumes a dropped event stream with Last-Event-ID, and misses nothing', async () => {
    const logs: unknown[] = [];
    const baseline = stateful.requests.length;
    const gets = () => stateful.requests.slice(baseline).filter((r) => r.method === 'GET');
    const run = await connectThroughRun(sandbox, 'stateful', {
      setup: (client) => client.setNotificationHandler('notifications/message', (n) => void logs.push(n.params.data)),
    });
    try {
      await expect.poll(() => gets().length, { timeout: 10_000 }).toBe(1);
      expect(gets()[0]!.lastEventId).toBeUndefined();
      await run.client.callTool({ name: 'drop-stream' });
      await expect.poll(() => logs, { timeout: 15_000 }).toEqual(['before the drop', 'while the stream was down']);
      expect(gets().length).toBe(2);
      expect(gets()[1]!.lastEventId).toMatch(/.+/);
    } finally {
      await run.close();
    }
  });

  /** Starts `mcp-cli run NAME`, sends initialize, and leaves once it is answered: the answer, the exit code and stderr. */
  async function initializeOnce(name: string): Promise<{ answer: { error: { message: string } }; code: unknown; err: string }> {
    const child = spawn(process.execPath, [CLI, 'run', name], { cwd: sandbox.home, env: sandbox.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.write(
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}\n',
    );
    await expect.poll(() => out, { timeout: 15_000 }).toContain('\n');
    child.stdin.end();
    const code = await exited;
    return { answer: JSON.parse(out), code, err };
  }

  it('a rejected token is a JSON-RPC error naming the reference, and exit 4 once the client leaves', async () => {
    const { answer, code, err } = await initializeOnce('rejected');
    expect(answer).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32603 } });
    expect(answer.error.message).toContain(
      "server 'rejected' answered HTTP 401: the credentials from ${TOKEN:bearer:wrong} (headers.Authorization) were rejected",
    );
    expect(answer.error.message).toContain('mcp-cli token rotate wrong --namespace bearer');
    expect(code).toBe(4);
    expect(err).toContain('mcp-cli run rejected:');
  });

  it("logs a server's answer on stderr as one printable line: no escape sequence reaches the terminal", async () => {
    const { err } = await initializeOnce('hostile');
    expect(err).toContain('mcp-cli run hostile:');
    expect(err).toContain('\\u001b]0;PWNED');
    expect(err).not.toContain('\u001b');
    expect(err).not.toContain('\u0007');
    expect(
      err
        .split('\n')
        .filter((l) => l.includes('second line'))
        .every((l) => l.startsWith('mcp-cli run hostile:')),
    ).toBe(true);
  });

  it('a request the client cancels is not waited for when the client leaves', async () => {
    const child = spawn(process.execPath, [CLI, 'run', 'stateful'], { cwd: sandbox.home, env: sandbox.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: { elicitation: {} }, clientInfo: { name: 't', version: '1' } },
    });
    await expect.poll(() => out, { timeout: 15_000 }).toContain('"id":1');
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    // The server asks the client a question that this client never answers: the call stays open.
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ask-name', arguments: {} } });
    await expect.poll(() => out, { timeout: 15_000 }).toContain('elicitation/create');
    send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2, reason: 'user gave up' } });
    child.stdin.end();
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(out).not.toContain('"id":2,');
  });

  it('an unreachable server answers each request with an error instead of leaving it waiting', async () => {
    const run = await connectThroughRun(sandbox, 'down').catch((error: Error) => error);
    expect(run).toBeInstanceOf(Error);
    expect((run as Error).message).toContain(`cannot reach server 'down' at ${downUrl}: connection refused`);
  });

  it('a server that goes away mid-session: the call fails with a ProtocolError the client can show, nothing hangs', async () => {
    const run = await connectThroughRun(sandbox, 'flaky');
    try {
      expect((await run.client.listTools()).tools.length).toBe(3);
      await flaky.close();
      const failed = await run.client.listTools().catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(ProtocolError);
      expect((failed as ProtocolError).message).toContain("cannot reach server 'flaky'");
    } finally {
      await run.close();
    }
    expect((await run.exited).code).toBe(0);
  });

  it('a missing token exits 4 before anything is contacted', async () => {
    const before = http.authorizations.length;
    const r = await sandbox.run(['run', 'missing']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("server 'missing', headers.Authorization: ${TOKEN:bearer:nope}: no such token");
    expect(http.authorizations.length).toBe(before);
  });

  it('SIGTERM ends the bridge with 128+15 and ends the session', async () => {
    const run = await connectThroughRun(sandbox, 'stateful');
    await run.client.listTools();
    const deletes = stateful.requests.filter((r) => r.method === 'DELETE').length;
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 143, signal: null });
    expect(stateful.requests.filter((r) => r.method === 'DELETE').length).toBe(deletes + 1);
    await run.close();
  });
});
