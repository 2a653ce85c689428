// Servers of each protocol era with the same tools, for the tests of `mcp-cli run` between eras: a
// 2026-07-28 server from the SDK v2 (`createMcpHandler`, 2026 only or both eras) whose tools ask for
// input with `input_required`, and a 2025 server from the SDK v1 (sessions, requests of its own to the
// client, see stateful-mcp-server.ts) whose tools push those requests. Both echo the bearer token they
// were given (`whoami`), report progress, and notice a cancellation.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import * as z from 'zod';
import { acceptedContent, createMcpHandler, inputRequired, inputResponse, McpServer, type AuthInfo } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { bearerAuth, fixedTokenVerifier } from './mcp-servers.js';

export interface EraServerLog {
  /** What the tools saw happen: `slow started`, `slow cancelled`, and the answers to their questions. */
  events: string[];
}

export interface ModernTestServer extends EraServerLog {
  url: string;
  /** The JSON-RPC methods of the POSTs, with the protocol headers they carried. */
  posts: { rpc: string; protocolVersion?: string; mcpMethod?: string; mcpName?: string; params: Record<string, string> }[];
  /** Publishes `notifications/tools/list_changed` and `notifications/resources/updated` on the open listen streams. */
  toolsChanged(): void;
  resourceUpdated(uri: string): void;
  close(): Promise<void>;
}

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

/** Waits for the request to be cancelled (or 20 s), noting both. */
function slowTool(log: EraServerLog, signal: AbortSignal): Promise<ReturnType<typeof text>> {
  log.events.push('slow started');
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(text('slow finished')), 20_000);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      log.events.push('slow cancelled');
      resolve(text('cancelled'));
    });
  });
}

/** A 2026-07-28 server (`eras: '2026'`: `legacy: 'reject'`), its tools written as the SDK v2 asks: input through `input_required`. */
export async function startModernServer(options: { token: string; eras?: '2026' | 'both'; secret?: string }): Promise<ModernTestServer> {
  const log: EraServerLog = { events: [] };
  const secret = options.secret ?? options.token;
  const factory = ({ authInfo }: { authInfo?: AuthInfo }) => {
    const server = new McpServer(
      { name: 'era-test-server', version: '3.0.0' },
      {
        capabilities: { logging: {}, resources: { subscribe: true, listChanged: true }, tools: { listChanged: true } },
        instructions: 'Tools for testing eras',
      },
    );
    server.registerTool('echo', { description: 'Echo a message back', inputSchema: z.object({ message: z.string() }) }, async ({ message }) => text(message));
    server.registerTool('whoami', { description: 'Echo the bearer token back (a badly behaved server)' }, async () => text(`token=${authInfo?.token ?? ''}`));
    server.registerTool('ask-name', { description: 'Asks the user for a name' }, async (ctx) => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, 'name');
      if (answer.kind === 'elicit' && answer.action !== 'accept') return text(`declined: ${answer.action}`);
      const name = acceptedContent(ctx.mcpReq.inputResponses, 'name', z.object({ name: z.string() }));
      if (!name)
        return inputRequired({
          inputRequests: { name: inputRequired.elicit({ message: 'What is your name?', requestedSchema: z.object({ name: z.string() }) }) },
        });
      log.events.push(`name: ${name.name}`);
      return text(`hello ${name.name}`);
    });
    server.registerTool('sample', { description: 'Asks the client to sample an LLM' }, async (ctx) => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, 'sample');
      if (answer.kind !== 'sampling')
        return inputRequired({
          inputRequests: {
            sample: inputRequired.createMessage({
              messages: [{ role: 'user', content: { type: 'text', text: `say hi; the key is ${secret}` } }],
              maxTokens: 20,
            }),
          },
        });
      const content = Array.isArray(answer.result.content) ? answer.result.content[0] : answer.result.content;
      return text(content?.type === 'text' ? `model said: ${content.text}` : 'no text');
    });
    server.registerTool('list-roots', { description: "Asks for the client's roots" }, async (ctx) => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, 'roots');
      if (answer.kind !== 'roots') return inputRequired({ inputRequests: { roots: inputRequired.listRoots() } });
      return text(answer.roots.map((r) => r.uri).join(' '));
    });
    server.registerTool('progress', { description: 'Reports progress', inputSchema: z.object({ steps: z.number() }) }, async ({ steps }, ctx) => {
      const token = ctx.mcpReq._meta?.progressToken;
      for (let i = 1; i <= steps; i++)
        if (token !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps } });
      return text(`done ${steps}`);
    });
    server.registerTool('slow', { description: 'Runs until cancelled' }, async (ctx) => slowTool(log, ctx.mcpReq.signal));
    server.registerTool('log', { description: 'Logs a message', inputSchema: z.object({ message: z.string() }) }, async ({ message }, ctx) => {
      await ctx.mcpReq.log('info', message);
      return text('logged');
    });
    server.registerResource('config', 'config://app', { mimeType: 'text/plain' }, async (uri) => ({
      contents: [{ uri: uri.href, text: `theme=dark ${secret}` }],
    }));
    server.registerPrompt('greet', { description: 'Greets someone', argsSchema: z.object({ name: z.string() }) }, async ({ name }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: `Hello ${name}` } }],
    }));
    return server;
  };
  const handler = createMcpHandler(factory, { legacy: (options.eras ?? '2026') === '2026' ? 'reject' : 'stateless' });
  const node = toNodeHandler(handler);
  const posts: ModernTestServer['posts'] = [];
  const app = express();
  app.all(
    '/mcp',
    express.json(),
    (req, _res, next) => {
      const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
      if (req.method === 'POST')
        posts.push({
          rpc: String((req.body as { method?: unknown } | undefined)?.method ?? 'response'),
          ...(header('mcp-protocol-version') ? { protocolVersion: header('mcp-protocol-version') } : {}),
          ...(header('mcp-method') ? { mcpMethod: header('mcp-method') } : {}),
          ...(header('mcp-name') ? { mcpName: header('mcp-name') } : {}),
          params: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('mcp-param-')) as [string, string][]),
        });
      next();
    },
    bearerAuth({ verifier: fixedTokenVerifier(options.token) }),
    (req, res) => node(req, res, req.body),
  );
  const http: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    events: log.events,
    posts,
    toolsChanged: () => handler.notify.toolsChanged(),
    resourceUpdated: (uri) => handler.notify.resourceUpdated(uri),
    close: async () => {
      await handler.close?.();
      await new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      });
    },
  };
}
