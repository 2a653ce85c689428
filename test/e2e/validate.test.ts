// token validate through the built CLI: a real bearer-protected MCP server, a provider stand-in on
// 127.0.0.1 speaking the OpenAI, Anthropic and Gemini model-list APIs, expired and uncheckable tokens.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, writeOwnConfig } from '../helpers/cli.js';
import { startTestMcpHttpServer, type TestMcpHttpServer } from '../helpers/mcp-servers.js';

const GOOD_BEARER = 'SENTINEL-bearer-good-5a1';
const BAD_BEARER = 'SENTINEL-bearer-bad-77c';
const GOOD_KEY = 'SENTINEL-key-good-0e4';
const BAD_KEY = 'SENTINEL-key-bad-b19';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/** Answers like the providers do: 200 for GOOD_KEY; 401 (OpenAI, Anthropic) or 400 API_KEY_INVALID (Gemini) otherwise. */
async function startProviderStandIn(): Promise<{ origin: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const path = req.url!.split('?')[0];
    if (path === '/v1/models' && req.headers.authorization !== undefined)
      return req.headers.authorization === `Bearer ${GOOD_KEY}`
        ? json(200, { object: 'list', data: [] })
        : json(401, { error: { message: 'Incorrect API key provided' } });
    if (path === '/v1/models' && req.headers['x-api-key'] !== undefined) {
      if (req.headers['anthropic-version'] === undefined) return json(400, { error: 'anthropic-version missing' });
      return req.headers['x-api-key'] === GOOD_KEY ? json(200, { data: [] }) : json(401, { type: 'error', error: { type: 'authentication_error' } });
    }
    if (path === '/v1beta/models')
      return req.headers['x-goog-api-key'] === GOOD_KEY
        ? json(200, { models: [] })
        : json(400, { error: { code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] } });
    if (path === '/moved/models') return res.writeHead(302, { location: '/v1/models' }).end();
    json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Report {
  tokens: {
    name: string;
    namespace: string;
    type: string;
    result: string;
    checks: { check: string; target: string | null; result: string; detail: string }[];
  }[];
  summary: Record<string, number>;
}

describe('token validate', () => {
  let sandbox: Sandbox;
  let mcp: TestMcpHttpServer;
  let provider: Awaited<ReturnType<typeof startProviderStandIn>>;
  const outputs: string[] = [];
  const run = async (args: string[]) => {
    const r = await sandbox.run(['token', 'validate', ...args]);
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  beforeAll(async () => {
    mcp = await startTestMcpHttpServer({ token: GOOD_BEARER });
    provider = await startProviderStandIn();
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'validate-test-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
    const tokens: [string, string, string[]][] = [
      ['good', GOOD_BEARER, []],
      ['bad', BAD_BEARER, []],
      ['old', GOOD_BEARER, ['--expires', '2020-01-01']],
      ['plain', 'not-checkable', ['--type', 'generic']],
      ['openai', GOOD_KEY, ['--type', 'api-key', '--provider', 'openai', '--organization', 'org-7']],
      ['openai-bad', BAD_KEY, ['--type', 'api-key', '--provider', 'openai']],
      ['claude', GOOD_KEY, ['--type', 'api-key', '--provider', 'anthropic']],
      ['gemini-bad', BAD_KEY, ['--type', 'api-key', '--provider', 'gemini']],
      ['gateway', GOOD_KEY, ['--type', 'api-key', '--provider', 'corp-gateway']],
    ];
    for (const [name, value, extra] of tokens) {
      const set = await sandbox.run(['token', 'set', name, '--value', '-', ...extra], { input: value });
      expect(set.code, set.stderr).toBe(0);
    }
    await writeOwnConfig(
      sandbox.home,
      JSON.stringify({
        mcpServers: {
          web: { url: mcp.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:good}' } },
          rejected: { url: mcp.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:bad}' } },
          local: { command: 'does-not-exist-mcp-cli', env: { PLAIN: '${TOKEN:generic:plain}' } },
        },
        tokenValidation: {
          providers: {
            openai: { baseUrl: `${provider.origin}/v1` },
            anthropic: { baseUrl: provider.origin },
            gemini: { baseUrl: provider.origin },
            'corp-gateway': { baseUrl: `${provider.origin}/moved`, api: 'openai' },
          },
        },
      }),
    );
  });
  afterAll(async () => {
    await mcp?.close();
    await provider?.close();
    await sandbox?.cleanup();
  });

  it('a token the server accepts passes (exit 0, one TSV line when piped)', async () => {
    const r = await run(['good']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('passed\tbearer\tgood\tbearer\tserver web: accepted it (mcp-cli-test-server 1.2.3, protocol 2026-07-28)\n');
    expect(r.stderr).toBe('1 token: 1 passed.\n');
    expect(mcp.authorizations).toContain(`Bearer ${GOOD_BEARER}`);
  });

  it('a token the server rejects gives exit 4 and says which server', async () => {
    const r = await run(['bad']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^rejected\tbearer\tbad\tbearer\tserver rejected: rejected: server 'rejected' answered HTTP 401/);
    expect(r.stderr).toContain('error: 1 token: 1 rejected');
  });

  it('an OpenAI key is tested with GET /v1/models, the key only in the Authorization header', async () => {
    const before = provider.seen.length;
    const r = await run(['openai', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.tokens[0]!.checks).toEqual([
      { check: 'provider', target: 'openai', result: 'passed', detail: `GET ${provider.origin}/v1/models accepted it (HTTP 200)` },
    ]);
    const [request] = provider.seen.slice(before);
    expect(request).toMatchObject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${GOOD_KEY}`, 'openai-organization': 'org-7' } });
  });

  it('--all reports every token: passed, rejected, expired, unchecked; exit 4', async () => {
    const before = provider.seen.length;
    const r = await run(['--all', '--json']);
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout) as Report;
    const results = Object.fromEntries(report.tokens.map((t) => [t.name, t.result]));
    expect(results).toEqual({
      bad: 'rejected',
      good: 'passed',
      old: 'expired',
      claude: 'passed',
      gateway: 'error',
      'gemini-bad': 'rejected',
      openai: 'passed',
      'openai-bad': 'rejected',
      plain: 'unchecked',
    });
    expect(report.summary).toEqual({ passed: 3, rejected: 3, expired: 1, error: 1, unchecked: 1 });
    const byName = Object.fromEntries(report.tokens.map((t) => [t.name, t.checks]));
    expect(byName.old).toEqual([{ check: 'expiry', target: null, result: 'expired', detail: 'expired at 2020-01-01T00:00:00.000Z' }]);
    expect(byName.plain).toEqual([]);
    expect(byName['gemini-bad']![0]).toMatchObject({ result: 'rejected', detail: `GET ${provider.origin}/v1beta/models rejected it (HTTP 400)` });
    expect(byName.gateway![0]!.detail).toContain('redirected (HTTP 302); not followed');
    // The redirect was not followed: the stand-in saw one request to /moved and none after it with the gateway's key.
    const requests = provider.seen.slice(before).map((s) => s.url);
    expect(requests.filter((u) => u.startsWith('/moved'))).toHaveLength(1);
    for (const s of provider.seen) expect(s.url).not.toContain('SENTINEL');
    expect(r.stderr).toContain('error: 9 tokens: 3 passed, 3 rejected, 1 expired, 1 error, 1 unchecked');
  });

  it('a table on a terminal is not needed to read the result: nothing checkable says so', async () => {
    const r = await run(['plain']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('unchecked\tgeneric\tplain\tgeneric\tnothing can check it\n');
    expect(r.stderr).toBe('1 token: 1 unchecked.\n');
  });

  it("without a name validates every token (the seed's `mcp-cli token validate`); a name and --all contradict", async () => {
    const r = await run([]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('error: 9 tokens: 3 passed, 3 rejected, 1 expired, 1 error, 1 unchecked');
    const both = await run(['good', '--all']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('give a token name or --all, not both');
  });

  it('records a validated event per token in the audit log, and reads as purpose validated', async () => {
    const r = await sandbox.run(['token', 'audit', '--name', 'openai-bad', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const events = JSON.parse(r.stdout) as { action: string; detail?: Record<string, string> }[];
    expect(events.filter((e) => e.action === 'validated').map((e) => e.detail?.result)).toEqual(['rejected', 'rejected']);
    expect(events.some((e) => e.action === 'read' && e.detail?.purpose === 'validated')).toBe(true);
    const verify = await sandbox.run(['token', 'audit', '--verify']);
    expect(verify.code, verify.stderr).toBe(0);
  });

  it('no value appears in any output or in any file of the sandbox', async () => {
    for (const text of outputs) expect(text).not.toContain('SENTINEL');
    for (const entry of await readdir(sandbox.home, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      expect((await readFile(join(entry.parentPath, entry.name))).includes('SENTINEL'), entry.name).toBe(false);
    }
  });
});
