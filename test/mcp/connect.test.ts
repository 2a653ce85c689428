import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServers } from '../../src/config/resolve.js';
import type { ServerEntry } from '../../src/config/schema.js';
import { connect } from '../../src/mcp/connect.js';
import { keyOf, type StoredToken } from '../../src/tokens/model.js';
import { sha256, startTestMcpHttpServer, STDIO_SERVER, TEST_SERVER_NAME, type TestMcpHttpServer } from '../helpers/mcp-servers.js';

const GOOD = 'good-token-SENTINEL-7f3a';
const now = new Date();
const stored = (name: string, token: string): StoredToken => ({
  metadata: { namespace: 'bearer', name, type: 'bearer', createdAt: now.toISOString(), updatedAt: now.toISOString(), details: {} },
  secret: { token },
});
const tokens = new Map([stored('good', GOOD), stored('bad', 'wrong-token-SENTINEL')].map((t) => [keyOf(t.metadata), t]));

async function resolveOne(entry: ServerEntry, env: Record<string, string> = {}) {
  const [server] = await resolveServers({ s: entry }, ['s'], { lookup: async (k) => tokens.get(keyOf(k)), env, now });
  return server!;
}

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('connect over streamable HTTP and SSE behind requireBearerAuth', () => {
  let http: TestMcpHttpServer;
  let sse: TestMcpHttpServer;
  beforeAll(async () => {
    http = await startTestMcpHttpServer({ token: GOOD });
    sse = await startTestMcpHttpServer({ token: GOOD, transport: 'sse' });
  });
  afterAll(async () => {
    await http.close();
    await sse.close();
  });

  it.each(['streamable-http', 'sse'] as const)('%s: the right token initializes and lists tools', async (transport) => {
    const url = transport === 'sse' ? sse.url : http.url;
    const server = await resolveOne({ transport, url, headers: { Authorization: 'Bearer ${TOKEN:bearer:good}' } });
    const connection = await connect(server, { env: {}, stderr: capture().stream });
    try {
      expect(connection.client.getServerVersion()?.name).toBe(TEST_SERVER_NAME);
      const { tools } = await connection.request((c) => c.listTools());
      expect(tools.map((t) => t.name)).toEqual(['echo', 'token-sha256', 'whoami']);
      const result = await connection.request((c) => c.callTool({ name: 'token-sha256', arguments: {} }));
      expect(result.content).toEqual([{ type: 'text', text: sha256(GOOD) }]);
    } finally {
      await connection.close();
    }
    expect((transport === 'sse' ? sse : http).authorizations).toContain(`Bearer ${GOOD}`);
  });

  it('a wrong token is exit 4 naming the reference, without the value', async () => {
    const server = await resolveOne({ transport: 'streamable-http', url: http.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:bad}' } });
    const error = await connect(server, { env: {}, stderr: capture().stream }).then(
      () => undefined,
      (e: unknown) => e as { exitCode: number; message: string; hint?: string },
    );
    expect(error).toMatchObject({ exitCode: 4 });
    expect(error!.message).toBe("server 's' answered HTTP 401: the credentials from ${TOKEN:bearer:bad} (headers.Authorization) were rejected");
    expect(error!.hint).toBe('store a valid value: mcp-cli token rotate bad --namespace bearer');
    expect(JSON.stringify(error)).not.toContain('SENTINEL');
  });

  it('no token at all is exit 4 too', async () => {
    const server = await resolveOne({ transport: 'streamable-http', url: http.url, headers: {} });
    await expect(connect(server, { env: {}, stderr: capture().stream })).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringContaining('sends no stored token'),
    });
  });

  it('a closed port is a plain failure naming the masked URL', async () => {
    const closed = await startTestMcpHttpServer();
    await closed.close();
    const server = await resolveOne({ transport: 'streamable-http', url: `${closed.url}?k=\${TOKEN:bearer:good}`, headers: {} });
    const error = (await connect(server, { env: {}, stderr: capture().stream }).catch((e: unknown) => e)) as { exitCode: number; message: string };
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('connection refused');
    expect(error.message).toContain('<TOKEN:bearer:good>');
    expect(error.message).not.toContain(GOOD);
  });
});

describe('connect over stdio', () => {
  const entry = (env: Record<string, string>, args: string[] = []): ServerEntry => ({
    transport: 'stdio',
    command: process.execPath,
    args: [STDIO_SERVER, ...args],
    env,
  });

  it('passes the resolved env on top of a minimal environment, never on the command line, and masks stderr', async () => {
    const server = await resolveOne(entry({ API_TOKEN: '${TOKEN:bearer:good}', GREETING: 'hi ${NAME}' }), { NAME: 'you' });
    const stderr = capture();
    const parentEnv = { PATH: process.env.PATH!, HOME: '/home/test', MCP_CLI_ENCRYPTION_KEY: 'parent-secret', AWS_SECRET_ACCESS_KEY: 'cloud' };
    const connection = await connect(server, { env: parentEnv, stderr: stderr.stream });
    try {
      const call = async (name: string, args: Record<string, unknown> = {}) =>
        ((await connection.request((c) => c.callTool({ name, arguments: args }))).content as { text: string }[])[0]!.text;
      expect(await call('env-sha256', { name: 'API_TOKEN' })).toBe(sha256(GOOD));
      expect(await call('env-sha256', { name: 'GREETING' })).toBe(sha256('hi you'));
      const names = (await call('env-names')).split('\n');
      expect(names).toContain('HOME');
      expect(names).not.toContain('MCP_CLI_ENCRYPTION_KEY');
      expect(names).not.toContain('AWS_SECRET_ACCESS_KEY');
      expect(await call('argv')).toBe(JSON.stringify([]));
      expect(await call('log-env', { name: 'API_TOKEN' })).toBe('logged');
    } finally {
      await connection.close();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(stderr.text()).toContain('debug: API_TOKEN=<redacted>');
    expect(stderr.text()).not.toContain(GOOD);
  });

  it('a command that does not exist is a clear failure', async () => {
    const server = await resolveOne({ transport: 'stdio', command: 'no-such-command-mcp-cli', args: [], env: {} });
    await expect(connect(server, { env: { PATH: process.env.PATH! }, stderr: capture().stream })).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringContaining("cannot start server 's'"),
    });
  });
});
