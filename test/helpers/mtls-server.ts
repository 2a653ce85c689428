// A real MCP server behind HTTPS that demands a client certificate signed by the test CA.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { TestPki } from './certs.js';
import { buildTestMcpServer } from './mcp-servers.js';

export interface TestMtlsServer {
  /** `https://127.0.0.1:PORT/mcp`. */
  url: string;
  /** The common names of the client certificates of the requests that reached the MCP endpoint. */
  clients: string[];
  close(): Promise<void>;
}

export async function startTestMtlsServer(pki: TestPki): Promise<TestMtlsServer> {
  const app = express();
  const clients: string[] = [];
  app.post('/mcp', express.json(), async (req, res) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
    clients.push(String(peer.subject?.CN ?? ''));
    const server = buildTestMcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  app.all('/mcp', (_req, res) => void res.status(405).set('Allow', 'POST').end());
  const https: Server = createServer(
    { key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert), ca: readFileSync(pki.caCert), requestCert: true, rejectUnauthorized: true },
    app,
  );
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  const { port } = https.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/mcp`,
    clients,
    close: () =>
      new Promise((resolve) => {
        https.closeAllConnections();
        https.close(() => resolve());
      }),
  };
}
