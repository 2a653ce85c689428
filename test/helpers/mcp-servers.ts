import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { OAuthTokenVerifier } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import * as z from 'zod';

export const TEST_SERVER_NAME = 'mcp-cli-test-server';
export const TEST_SERVER_VERSION = '1.2.3';

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A verifier that accepts exactly one bearer token (401 for any other). */
export function fixedTokenVerifier(token: string): OAuthTokenVerifier {
  return {
    async verifyAccessToken(presented) {
      if (presented !== token) throw new InvalidTokenError('invalid token');
      return { token: presented, clientId: 'test-client', scopes: [], expiresAt: Math.floor(Date.now() / 1000) + 3600 };
    },
  };
}

/** The tools every test server offers: `echo`, and `whoami`, which echoes the presented token (to test masking). */
export function buildTestMcpServer(): McpServer {
  const server = new McpServer({ name: TEST_SERVER_NAME, version: TEST_SERVER_VERSION });
  server.registerTool('echo', { description: 'Echo a message back\nSecond line', inputSchema: { message: z.string() } }, async ({ message }) => ({
    content: [{ type: 'text', text: message }],
  }));
  server.registerTool('token-sha256', { description: 'SHA-256 of the bearer token this request carried' }, async (extra) => ({
    content: [{ type: 'text', text: sha256(extra.authInfo?.token ?? '') }],
  }));
  server.registerTool('whoami', { description: 'Echo the bearer token back (a badly behaved server)' }, async (extra) => ({
    content: [{ type: 'text', text: `token=${extra.authInfo?.token ?? ''}` }],
  }));
  return server;
}

export interface TestMcpHttpServer {
  /** The MCP endpoint: `.../mcp` for streamable HTTP, `.../sse` for SSE. */
  url: string;
  /** Authorization headers received, in order. */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

export interface TestMcpHttpServerOptions {
  /** Who may in: default `fixedTokenVerifier(token)`. */
  verifier?: OAuthTokenVerifier;
  token?: string;
  /** No authentication at all: the server never answers 401. */
  open?: boolean;
  transport?: 'streamable-http' | 'sse';
  /** Extra routes (an OAuth authorization server, metadata) mounted before the MCP endpoint. */
  setup?: (app: express.Express) => void;
}

/** Answers one streamable HTTP request with a fresh McpServer (stateless). */
export async function serveStatelessMcp(req: express.Request, res: express.Response): Promise<void> {
  const server = buildTestMcpServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
}

/**
 * A real MCP server from the SDK's pieces, behind the SDK's requireBearerAuth,
 * listening on 127.0.0.1 on a free port. Stateless streamable HTTP (a fresh
 * McpServer per request), or the older SSE transport.
 */
export async function startTestMcpHttpServer(options: TestMcpHttpServerOptions = {}): Promise<TestMcpHttpServer> {
  const verifier = options.verifier ?? fixedTokenVerifier(options.token ?? 'test-token');
  const app = express();
  const authorizations: (string | undefined)[] = [];
  app.use((req, _res, next) => {
    authorizations.push(req.headers.authorization);
    next();
  });
  options.setup?.(app);
  const auth: express.RequestHandler = options.open ? (_req, _res, next) => next() : requireBearerAuth({ verifier });
  if ((options.transport ?? 'streamable-http') === 'streamable-http') {
    app.post('/mcp', express.json(), auth, serveStatelessMcp);
    app.all('/mcp', auth, (_req, res) => {
      res.status(405).set('Allow', 'POST').end();
    });
  } else {
    const sessions = new Map<string, SSEServerTransport>();
    app.get('/sse', auth, async (_req, res) => {
      const transport = new SSEServerTransport('/messages', res);
      sessions.set(transport.sessionId, transport);
      res.on('close', () => sessions.delete(transport.sessionId));
      await buildTestMcpServer().connect(transport);
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
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** A stdio MCP server script (plain JS, run with `node`) whose tools report on its environment without printing secrets. */
export const STDIO_SERVER = new URL('../fixtures/stdio-server.mjs', import.meta.url).pathname;
