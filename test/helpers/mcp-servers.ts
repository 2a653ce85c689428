import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import * as z from 'zod';
import {
  bearerAuthChallengeResponse,
  createMcpHandler,
  McpServer,
  OAuthError,
  OAuthErrorCode,
  verifyBearerToken,
  type AuthInfo,
  type OAuthTokenVerifier,
  type ServerCapabilities,
} from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
// The SDK's v1 is a real 2025-era server: sessions, server-to-client requests, the SSE transport.
import { McpServer as McpServer2025 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport as StreamableHTTPServerTransport2025 } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';

export const TEST_SERVER_NAME = 'mcp-cli-test-server';
export const TEST_SERVER_VERSION = '1.2.3';

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Which protocol eras a test server speaks: both (the SDK v2's default), 2026-07-28 only (`legacy: 'reject'`), or 2025 only (the SDK v1). */
export type ServerEras = 'both' | '2026' | '2025';

/** A verifier that accepts exactly one bearer token (401 for any other). */
export function fixedTokenVerifier(token: string): OAuthTokenVerifier {
  return {
    async verifyAccessToken(presented) {
      if (presented !== token) throw new OAuthError(OAuthErrorCode.InvalidToken, 'invalid token');
      return { token: presented, clientId: 'test-client', scopes: [], expiresAt: Math.floor(Date.now() / 1000) + 3600 };
    },
  };
}

declare module 'node:http' {
  interface IncomingMessage {
    auth?: AuthInfo;
  }
}

/** The SDK v2's bearer check as Express middleware: `req.auth` on success, the SDK's 401/403 challenge otherwise. */
export function bearerAuth(options: Parameters<typeof verifyBearerToken>[1]): express.RequestHandler {
  return async (req, res, next) => {
    try {
      req.auth = await verifyBearerToken(req.headers.authorization, options);
      next();
    } catch (error) {
      const challenge = bearerAuthChallengeResponse(error, options);
      res.status(challenge.status);
      challenge.headers.forEach((value, key) => res.setHeader(key, value));
      res.send(await challenge.text());
    }
  };
}

type Text = { content: { type: 'text'; text: string }[] };
const text = (value: string): Text => ({ content: [{ type: 'text', text: value }] });

/** The authentication of a request, as either SDK hands it to a tool (v2: `ctx.http.authInfo`, v1: `extra.authInfo`). */
export const authOf = (ctx: { http?: { authInfo?: AuthInfo }; authInfo?: AuthInfo }): AuthInfo | undefined => ctx.http?.authInfo ?? ctx.authInfo;

/** What a test server is: its name (which may depend on who asks) and version, and its tools (registered alike with either SDK). */
export interface TestServerSpec {
  name: string | ((auth: AuthInfo | undefined) => string);
  version: string;
  /** What it declares beyond its tools (`logging`, to send log messages). */
  capabilities?: ServerCapabilities;
  register(server: Pick<McpServer, 'registerTool'>): void;
}

/** The tools every test server offers: `echo`, and `whoami`, which echoes the presented token (to test masking). */
export const TEST_SERVER: TestServerSpec = {
  name: TEST_SERVER_NAME,
  version: TEST_SERVER_VERSION,
  register(server) {
    server.registerTool('echo', { description: 'Echo a message back\nSecond line', inputSchema: z.object({ message: z.string() }) }, async ({ message }) =>
      text(message),
    );
    server.registerTool('token-sha256', { description: 'SHA-256 of the bearer token this request carried' }, async (ctx) =>
      text(sha256(authOf(ctx)?.token ?? '')),
    );
    server.registerTool('whoami', { description: 'Echo the bearer token back (a badly behaved server)' }, async (ctx) =>
      text(`token=${authOf(ctx)?.token ?? ''}`),
    );
  },
};

const nameOf = (spec: TestServerSpec, auth: AuthInfo | undefined) => (typeof spec.name === 'string' ? spec.name : spec.name(auth));
const capabilitiesOf = (spec: TestServerSpec) => (spec.capabilities ? { capabilities: spec.capabilities } : undefined);

/** Serves MCP requests with the SDK's pieces: v2's `createMcpHandler` (one fresh server per request, both eras or 2026 only), or a stateless v1 server (2025 only). */
export function mcpHandler(eras: ServerEras = 'both', spec: TestServerSpec = TEST_SERVER): express.RequestHandler {
  if (eras === '2025')
    return async (req, res) => {
      const server = new McpServer2025({ name: nameOf(spec, req.auth), version: spec.version }, capabilitiesOf(spec));
      spec.register(server as unknown as Pick<McpServer, 'registerTool'>);
      const transport = new StreamableHTTPServerTransport2025({ sessionIdGenerator: undefined });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    };
  const factory = ({ authInfo }: { authInfo?: AuthInfo }) => {
    const server = new McpServer({ name: nameOf(spec, authInfo), version: spec.version }, capabilitiesOf(spec));
    spec.register(server);
    return server;
  };
  const node = toNodeHandler(createMcpHandler(factory, { legacy: eras === '2026' ? 'reject' : 'stateless' }));
  return (req, res) => node(req, res, req.body);
}

/** A POST that reached the MCP endpoint: its JSON-RPC method and the headers the protocol defines. */
export interface SeenPost {
  rpc: string;
  protocolVersion?: string;
  mcpMethod?: string;
  mcpName?: string;
}

export interface TestMcpHttpServer {
  /** The MCP endpoint: `.../mcp` for streamable HTTP, `.../sse` for SSE. */
  url: string;
  /** Authorization headers received, in order. */
  authorizations: (string | undefined)[];
  /** The MCP POSTs received, in order. */
  posts: SeenPost[];
  /** Changes the eras it speaks from the next request on (an upgrade, a rollback); `none` refuses every protocol version (HTTP 400, -32022). */
  setEras(eras: ServerEras | 'none'): void;
  close(): Promise<void>;
}

export interface TestMcpHttpServerOptions {
  /** Who may in: default `fixedTokenVerifier(token)`. */
  verifier?: OAuthTokenVerifier;
  token?: string;
  /** No authentication at all: the server never answers 401. */
  open?: boolean;
  transport?: 'streamable-http' | 'sse';
  /** For streamable HTTP: default both. */
  eras?: ServerEras;
  /** What the server is: default TEST_SERVER. */
  spec?: TestServerSpec;
  /** Extra routes (an OAuth authorization server, metadata) mounted before the MCP endpoint. */
  setup?: (app: express.Express) => void;
}

const header = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/**
 * A real MCP server from the SDK's pieces, behind the SDK's bearer check, listening on 127.0.0.1 on a
 * free port: streamable HTTP (a fresh server per request), or the older SSE transport (2025 only).
 */
export async function startTestMcpHttpServer(options: TestMcpHttpServerOptions = {}): Promise<TestMcpHttpServer> {
  const verifier = options.verifier ?? fixedTokenVerifier(options.token ?? 'test-token');
  const app = express();
  const authorizations: (string | undefined)[] = [];
  const posts: SeenPost[] = [];
  let eras: ServerEras | 'none' = options.eras ?? 'both';
  app.use((req, _res, next) => {
    authorizations.push(req.headers.authorization);
    next();
  });
  options.setup?.(app);
  const auth: express.RequestHandler = options.open ? (_req, _res, next) => next() : bearerAuth({ verifier });
  if ((options.transport ?? 'streamable-http') === 'streamable-http') {
    const record: express.RequestHandler = (req, _res, next) => {
      if (req.method === 'POST')
        posts.push({
          rpc: String((req.body as { method?: unknown } | undefined)?.method ?? 'response'),
          ...(header(req.headers['mcp-protocol-version']) ? { protocolVersion: header(req.headers['mcp-protocol-version']) } : {}),
          ...(header(req.headers['mcp-method']) ? { mcpMethod: header(req.headers['mcp-method']) } : {}),
          ...(header(req.headers['mcp-name']) ? { mcpName: header(req.headers['mcp-name']) } : {}),
        });
      next();
    };
    const handlers = new Map<ServerEras, express.RequestHandler>();
    const handler = (e: ServerEras) => handlers.get(e) ?? handlers.set(e, mcpHandler(e, options.spec)).get(e)!;
    app.all('/mcp', express.json(), record, auth, (req, res, next) => {
      if (eras !== 'none') return handler(eras)(req, res, next);
      const id = (req.body as { id?: unknown } | undefined)?.id ?? null;
      res.status(400).json({ jsonrpc: '2.0', id, error: { code: -32022, message: 'Unsupported protocol version', data: { supported: ['1999-01-01'] } } });
    });
  } else {
    const sessions = new Map<string, SSEServerTransport>();
    app.get('/sse', auth, async (_req, res) => {
      const transport = new SSEServerTransport('/messages', res);
      sessions.set(transport.sessionId, transport);
      res.on('close', () => sessions.delete(transport.sessionId));
      const server = new McpServer2025({ name: TEST_SERVER_NAME, version: TEST_SERVER_VERSION });
      TEST_SERVER.register(server as unknown as Pick<McpServer, 'registerTool'>);
      await server.connect(transport);
    });
    app.post('/messages', auth, async (req, res) => {
      const transport = sessions.get(String(req.query.sessionId));
      if (!transport) return void res.status(404).end();
      await transport.handlePostMessage(req, res);
    });
  }
  const http: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${options.transport === 'sse' ? 'sse' : 'mcp'}`,
    authorizations,
    posts,
    setEras: (next) => void (eras = next),
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** A stdio MCP server script (plain JS, run with `node`) whose tools report on its environment without printing secrets. */
export const STDIO_SERVER = new URL('../fixtures/stdio-server.mjs', import.meta.url).pathname;
