// A stateful streamable-HTTP MCP server from the SDK's pieces (sessions, an event store for
// resumption, the GET event stream), behind requireBearerAuth, for the tests of `mcp-cli run` as a
// bridge: notifications and requests of the server's own reach the client, and answers come back.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import * as z from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, SubscribeRequestSchema, UnsubscribeRequestSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { bearerAuth, fixedTokenVerifier } from './mcp-servers.js';

export interface SeenRequest {
  method: string;
  authorization: string | undefined;
  sessionId: string | undefined;
  protocolVersion: string | undefined;
  lastEventId: string | undefined;
  /** The JSON-RPC method (or `response`) of a POST body. */
  rpc?: string;
}

export interface StatefulServer {
  url: string;
  requests: SeenRequest[];
  /** What the client answered to the server's own requests, by method. */
  answers: Record<string, unknown[]>;
  /** What the tools saw happen: `slow started`, `slow cancelled`, `name: ...`. */
  events: string[];
  sessions(): number;
  /** Sends `notifications/tools/list_changed` to every session, and `notifications/resources/updated` to those subscribed to `uri`. */
  toolsChanged(): Promise<void>;
  resourceUpdated(uri: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Events in the order they were stored, replayed after the one a client names. (The SDK's example
 * store cannot replay the GET stream: it reads the stream id back from the event id up to the first
 * "_", and the GET stream's id, `_GET_stream`, starts with one.)
 */
class OrderedEventStore implements EventStore {
  private readonly events: { id: string; streamId: string; message: JSONRPCMessage }[] = [];

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `event-${this.events.length + 1}`;
    this.events.push({ id, streamId, message });
    return id;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.events.find((e) => e.id === eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const at = this.events.findIndex((e) => e.id === lastEventId);
    if (at < 0) return '';
    const { streamId } = this.events[at]!;
    for (const e of this.events.slice(at + 1)) if (e.streamId === streamId) await send(e.id, e.message);
    return streamId;
  }
}

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

function buildServer(
  answers: Record<string, unknown[]>,
  transportOf: () => StreamableHTTPServerTransport | undefined,
  secret: string,
  events: string[],
  subscribed: Set<string>,
): McpServer {
  const server = new McpServer(
    { name: 'stateful-test-server', version: '2.0.0' },
    { capabilities: { logging: {}, resources: { subscribe: true, listChanged: true }, tools: { listChanged: true } }, instructions: 'A 2025 server' },
  );
  const record = (method: string, value: unknown) => (answers[method] ??= []).push(value);

  server.registerTool('echo', { description: 'Echo a message back', inputSchema: { message: z.string() } }, async ({ message }) => text(message));

  server.registerTool('progress', { description: 'Reports progress', inputSchema: { steps: z.number() } }, async ({ steps }, extra) => {
    const token = extra._meta?.progressToken;
    for (let i = 1; i <= steps; i++)
      if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps } });
    return text(`done ${steps}`);
  });

  server.registerTool('slow', { description: 'Runs until cancelled' }, async (extra) => {
    events.push('slow started');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(text('slow finished')), 20_000);
      extra.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        events.push('slow cancelled');
        resolve(text('cancelled'));
      });
    });
  });

  server.registerResource('config', 'config://app', { mimeType: 'text/plain' }, async (uri) => ({
    contents: [{ uri: uri.href, text: `theme=dark ${secret}` }],
  }));
  server.registerPrompt('greet', { description: 'Greets someone', argsSchema: { name: z.string() } }, async ({ name }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Hello ${name}` } }],
  }));
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  server.registerTool('ask-name', { description: 'Elicits a name from the user, on the POST stream of this call' }, async (extra) => {
    const result = await server.server.elicitInput(
      { message: 'What is your name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
      { relatedRequestId: extra.requestId },
    );
    record('elicitation/create', result);
    if (result.action === 'accept') events.push(`name: ${String(result.content?.name)}`);
    return text(result.action === 'accept' ? `hello ${String(result.content?.name)}` : `declined: ${result.action}`);
  });

  server.registerTool('ask-format', { description: 'Elicits an export format, proposing one (SEP-1034 default)' }, async (extra) => {
    const result = await server.server.elicitInput(
      {
        message: 'Export as which format?',
        requestedSchema: { type: 'object', properties: { format: { type: 'string', enum: ['pdf', 'csv'], default: 'pdf' } }, required: ['format'] },
      },
      { relatedRequestId: extra.requestId },
    );
    record('elicitation/create', result);
    return text(result.action === 'accept' ? `exported as ${String(result.content?.format)}` : `not exported: ${result.action}`);
  });

  server.registerTool('sample', { description: 'Asks the client to sample an LLM' }, async (extra) => {
    const result = await server.server.createMessage(
      { messages: [{ role: 'user', content: { type: 'text', text: `say hi; the key is ${secret}` } }], maxTokens: 20 },
      { relatedRequestId: extra.requestId },
    );
    record('sampling/createMessage', result);
    return text(result.content.type === 'text' ? `model said: ${result.content.text}` : 'no text');
  });

  server.registerTool('list-roots', { description: 'Asks the client for its roots, over the GET event stream' }, async () => {
    const result = await server.server.listRoots();
    record('roots/list', result);
    return text(result.roots.map((r) => r.uri).join(' '));
  });

  server.registerTool(
    'notify',
    { description: 'Sends a log notification over the GET event stream', inputSchema: { message: z.string() } },
    async ({ message }) => {
      await server.server.sendLoggingMessage({ level: 'info', data: message });
      return text('sent');
    },
  );

  server.registerTool('drop-stream', { description: 'Notifies, drops the GET event stream, notifies again while it is down' }, async () => {
    await server.server.sendLoggingMessage({ level: 'info', data: 'before the drop' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    transportOf()?.closeStandaloneSSEStream();
    await server.server.sendLoggingMessage({ level: 'info', data: 'while the stream was down' });
    return text('dropped');
  });

  server.registerTool('whoami', { description: 'Echo the bearer token back (a badly behaved server)' }, async (extra) =>
    text(`token=${extra.authInfo?.token ?? ''}`),
  );
  return server;
}

export async function startStatefulMcpServer(options: { token: string; secret?: string }): Promise<StatefulServer> {
  const app = express();
  const requests: SeenRequest[] = [];
  const answers: Record<string, unknown[]> = {};
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const servers = new Map<StreamableHTTPServerTransport, { server: McpServer; subscribed: Set<string> }>();
  const events: string[] = [];
  app.use(express.json());
  app.use((req, _res, next) => {
    const body = req.body as { method?: string } | undefined;
    requests.push({
      method: req.method,
      authorization: req.headers.authorization,
      sessionId: req.headers['mcp-session-id'] as string | undefined,
      protocolVersion: req.headers['mcp-protocol-version'] as string | undefined,
      lastEventId: req.headers['last-event-id'] as string | undefined,
      ...(req.method === 'POST' ? { rpc: body?.method ?? 'response' } : {}),
    });
    next();
  });
  app.all('/mcp', bearerAuth({ verifier: fixedTokenVerifier(options.token) }), async (req, res) => {
    const sessionId = req.headers['mcp-session-id'] as string | undefined;
    let transport = sessionId ? transports.get(sessionId) : undefined;
    if (!transport) {
      if (sessionId || req.method !== 'POST' || !isInitializeRequest(req.body)) {
        res.status(sessionId ? 404 : 400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'no such session' }, id: null });
        return;
      }
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore: new OrderedEventStore(),
        onsessioninitialized: (id) => void transports.set(id, created),
      });
      created.onclose = () => {
        if (created.sessionId) transports.delete(created.sessionId);
      };
      const subscribed = new Set<string>();
      const server = buildServer(answers, () => created, options.secret ?? options.token, events, subscribed);
      servers.set(created, { server, subscribed });
      await server.connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, req.body);
  });
  const http: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    requests,
    answers,
    events,
    sessions: () => transports.size,
    toolsChanged: async () => {
      for (const t of transports.values()) servers.get(t)?.server.sendToolListChanged();
    },
    resourceUpdated: async (uri) => {
      for (const t of transports.values()) {
        const entry = servers.get(t);
        if (entry?.subscribed.has(uri)) await entry.server.server.sendResourceUpdated({ uri });
      }
    },
    close: async () => {
      for (const t of transports.values()) await t.close().catch(() => undefined);
      await new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      });
    },
  };
}
