// A 2026-07-28 result without `resultType`: the revision's schema tells a client to take it as
// complete, and `call` shows it (the SDK v2 alone would reject it). A result that carries an
// `input_required` body without saying so is not read as an empty success. Against a raw HTTP
// server that answers as a 2026-only server would, through the built CLI.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { withResultType } from '../../src/mcp/result-type.js';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';

const REVISION = '2026-07-28';
const TOOLS = ['bare', 'half-input', 'typed'].map((name) => ({ name, inputSchema: { type: 'object', properties: {} } }));

/** What each tool answers, as it goes on the wire: only `typed` says what kind of result it is. */
const RESULTS: Record<string, object> = {
  bare: { content: [{ type: 'text', text: 'bare-ok' }] },
  'half-input': { inputRequests: { q: { method: 'elicitation/create', params: { message: 'sure?', requestedSchema: { type: 'object', properties: {} } } } } },
  typed: { resultType: 'complete', content: [{ type: 'text', text: 'typed-ok' }] },
};

function answer(method: string, params: { name?: string } | undefined): object {
  switch (method) {
    case 'server/discover':
      return {
        resultType: 'complete',
        ttlMs: 0,
        cacheScope: 'private',
        supportedVersions: [REVISION],
        capabilities: { tools: {} },
        serverInfo: { name: 'bare-server', version: '1.0.0' },
      };
    case 'tools/list':
      return { resultType: 'complete', ttlMs: 0, cacheScope: 'private', tools: TOOLS };
    default:
      return RESULTS[params?.name ?? ''] ?? {};
  }
}

describe('a 2026 result without resultType', () => {
  let http: Server;
  let sandbox: Sandbox;
  const calls: string[] = [];

  beforeAll(async () => {
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        const message = JSON.parse(body || '{}') as { id?: number; method?: string; params?: { name?: string } };
        if (req.method !== 'POST' || message.id === undefined || message.method === undefined)
          return void res.writeHead(req.method === 'POST' ? 202 : 405).end();
        if (message.method === 'tools/call') calls.push(message.params?.name ?? '');
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: answer(message.method, message.params) }));
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    sandbox = await createSandbox();
    await writeOwnConfig(sandbox.home, { mcpServers: { bare: { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`, protocol: REVISION } } });
  });
  afterAll(async () => {
    http?.closeAllConnections();
    await new Promise((resolve) => http?.close(resolve));
    await sandbox?.cleanup();
  });

  it('is taken as complete: call prints it and exits 0, without a retry', async () => {
    const r = await sandbox.run(['call', 'bare', 'bare']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('bare-ok\n');
    expect(calls).toEqual(['bare']);
  });

  it('a result that names its kind is read as it says', async () => {
    const r = await sandbox.run(['call', 'bare', 'typed']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('typed-ok\n');
  });

  it('an input_required body without resultType is refused, never shown as an empty success', async () => {
    const r = await sandbox.run(['call', 'bare', 'half-input', '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/resultType/);
  });
});

describe('withResultType', () => {
  const response = (result: object): JSONRPCMessage => ({ jsonrpc: '2.0', id: 1, result }) as JSONRPCMessage;

  it('adds resultType complete to a result without one, and touches nothing else', () => {
    expect(withResultType(response({ content: [] }))).toEqual(response({ content: [], resultType: 'complete' }));
    const typed = response({ resultType: 'input_required', requestState: 's' });
    expect(withResultType(typed)).toBe(typed);
    const stateOnly = response({ requestState: 's' });
    expect(withResultType(stateOnly)).toBe(stateOnly);
    const request = { jsonrpc: '2.0', id: 2, method: 'elicitation/create', params: {} } as JSONRPCMessage;
    expect(withResultType(request)).toBe(request);
    const error = { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'no' } } as JSONRPCMessage;
    expect(withResultType(error)).toBe(error);
  });
});
