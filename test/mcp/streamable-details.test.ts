// What the 2026-07-28 revision asks of a client over streamable HTTP, through the CLI's commands
// (in-process) against a real SDK v2 server: request state echoed on the retry of an input_required
// result (SEP-2322), tool arguments mirrored into Mcp-Param headers and tools with invalid
// x-mcp-header never called (SEP-2243), and JSON Schema 2020-12 in tool schemas passed on untouched.
// And the 2025 form of a question: a server-to-client elicitation request, declined as well.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { acceptedContent, fromJsonSchema, inputRequired, inputResponse } from '@modelcontextprotocol/server';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { startTestMcpHttpServer, type TestMcpHttpServer } from '../helpers/mcp-servers.js';
import { startStatefulMcpServer, type StatefulServer } from '../helpers/stateful-mcp-server.js';

const STATE = '{"step":"awaiting-confirmation","nonce":"8c1e"}';
const SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: { address: { $anchor: 'addr', type: 'object', properties: { street: { type: 'string' } } } },
  properties: {
    home: { $ref: '#/$defs/address' },
    kind: { anyOf: [{ const: 'a' }, { const: 'b' }] },
  },
  if: { properties: { kind: { const: 'a' } } },
  then: { required: ['home'] },
  additionalProperties: false,
};

describe('streamable HTTP details of the 2026 era', () => {
  let sandbox: Sandbox;
  let server: TestMcpHttpServer;
  /** What the request-state tool saw, round by round. */
  const rounds: { requestState: unknown; answer: string }[] = [];
  const headers: Record<string, string | undefined>[] = [];

  beforeAll(async () => {
    server = await startTestMcpHttpServer({
      open: true,
      eras: '2026',
      spec: {
        name: 'details',
        version: '1.0.0',
        register(mcp) {
          mcp.registerTool('confirm', { description: 'Asks before it acts' }, async (ctx) => {
            const state = ctx.mcpReq.requestState();
            const answer = inputResponse(ctx.mcpReq.inputResponses, 'confirm');
            rounds.push({ requestState: state, answer: answer.kind === 'elicit' ? answer.action : answer.kind });
            if (state === undefined)
              return inputRequired({
                inputRequests: { confirm: inputRequired.elicit({ message: 'Really do it?', requestedSchema: z.object({ sure: z.boolean() }) }) },
                requestState: STATE,
              });
            const accepted = acceptedContent(ctx.mcpReq.inputResponses, 'confirm');
            return { content: [{ type: 'text', text: accepted ? 'done' : `not done (${answer.kind === 'elicit' ? answer.action : 'no answer'})` }] };
          });
          mcp.registerTool(
            'deploy',
            {
              description: 'Deploys to a region named in a header too',
              inputSchema: fromJsonSchema({
                type: 'object',
                properties: { region: { type: 'string', ...{ 'x-mcp-header': 'Region' } }, note: { type: 'string' } },
                required: ['region'],
              }),
            },
            async (args, ctx) => {
              headers.push({
                region: ctx.http?.req?.headers.get('mcp-param-region') ?? undefined,
                note: ctx.http?.req?.headers.get('mcp-param-note') ?? undefined,
              });
              return { content: [{ type: 'text', text: `deployed to ${(args as { region: string }).region}` }] };
            },
          );
          mcp.registerTool(
            'broken',
            {
              description: 'Declares an object as a header',
              inputSchema: fromJsonSchema({ type: 'object', properties: { data: { type: 'object', ...{ 'x-mcp-header': 'Data' } } } }),
            },
            async () => ({ content: [{ type: 'text', text: 'should never run' }] }),
          );
          mcp.registerTool('schema', { description: 'A 2020-12 schema', inputSchema: fromJsonSchema(SCHEMA_2020_12) }, async () => ({
            content: [{ type: 'text', text: 'ok' }],
          }));
        },
      },
    });
    sandbox = await createSandbox({}, { inProcess: true });
    await writeOwnConfig(sandbox.home, { mcpServers: { details: { url: server.url } } });
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.cleanup();
  });

  it('an input_required result is retried with its request state echoed byte for byte; call declines the question and says so', async () => {
    const r = await sandbox.run(['call', 'details', 'confirm']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('not done (decline)\n');
    expect(r.stderr).toContain("server 'details' asks: Really do it? (declined: no terminal to answer on; --accept-defaults accepts the server's defaults)");
    expect(rounds).toEqual([
      { requestState: undefined, answer: 'missing' },
      { requestState: STATE, answer: 'decline' },
    ]);
  });

  it('mirrors an x-mcp-header argument into its Mcp-Param header, and only that one, from the first try', async () => {
    const from = server.posts.length;
    const r = await sandbox.run(['call', 'details', 'deploy', '--args', '{"region":"eu-west-1","note":"n"}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('deployed to eu-west-1\n');
    expect(headers).toEqual([{ region: 'eu-west-1', note: undefined }]);
    // The tool's schema was read first: no call went out without the header and came back refused (-32020).
    expect(server.posts.slice(from).map((p) => p.rpc)).toEqual(['tools/list', 'tools/call']);
  });

  it('leaves out a tool whose x-mcp-header is invalid, and will not call it', async () => {
    const tools = await sandbox.run(['tools', 'details', '--json']);
    expect(tools.code, tools.stderr).toBe(0);
    expect((JSON.parse(tools.stdout) as { name: string }[]).map((t) => t.name)).toEqual(['confirm', 'deploy', 'schema']);
    expect(tools.stderr).toMatch(/excluding tool 'broken' from tools\/list: invalid x-mcp-header/);
    const before = server.posts.filter((p) => p.rpc === 'tools/call').length;
    const call = await sandbox.run(['call', 'details', 'broken', '--args', '{"data":{}}']);
    expect(call.code).toBe(1);
    expect(call.stderr).toContain("server 'details' has no tool 'broken'");
    expect(server.posts.filter((p) => p.rpc === 'tools/call').length).toBe(before);
  });

  it('passes a JSON Schema 2020-12 input schema on untouched: $schema, $defs, $anchor, composition, conditionals, and a $ref not dereferenced', async () => {
    const r = await sandbox.run(['tools', 'details', '--json']);
    const schema = (JSON.parse(r.stdout) as { name: string; inputSchema: unknown }[]).find((t) => t.name === 'schema')!.inputSchema;
    expect(schema).toEqual(SCHEMA_2020_12);
  });
});

describe('a question from a 2025-era server', () => {
  let sandbox: Sandbox;
  let server: StatefulServer;

  beforeAll(async () => {
    server = await startStatefulMcpServer({ token: 'stateful-token' });
    sandbox = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: 'pw' }, { inProcess: true });
    expect((await sandbox.run(['token', 'set', 'k', '--type', 'bearer'], { input: 'stateful-token' })).code).toBe(0);
    await writeOwnConfig(sandbox.home, { mcpServers: { old: { url: server.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:k}' } } } });
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.cleanup();
  });

  it('an elicitation request in the middle of a call is declined the same way', async () => {
    const r = await sandbox.run(['call', 'old', 'ask-name']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('declined: decline\n');
    expect(r.stderr).toContain("server 'old' asks: What is your name? (declined: no terminal to answer on; --accept-defaults accepts the server's defaults)");
    expect(server.answers['elicitation/create']).toEqual([{ action: 'decline' }]);
  });
});
