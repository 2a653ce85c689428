// A real MCP server behind HTTPS that demands a client certificate signed by the test CA.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { TestPki } from './certs.js';
import { mcpHandler } from './mcp-servers.js';

export interface TestMtlsServer {
  /** `https://127.0.0.1:PORT/mcp`. */
  url: string;
  /** The common names of the client certificates of the requests that reached the MCP endpoint. */
  clients: string[];
  /** The Authorization header of each request to the MCP endpoint ('' when none was sent). */
  authorizations: string[];
  close(): Promise<void>;
}

/** `bearer`: the endpoint also demands this token, and answers 401 with an RFC 9728 challenge without it, as an OAuth-protected server does. */
export async function startTestMtlsServer(pki: TestPki, options: { bearer?: string } = {}): Promise<TestMtlsServer> {
  const app = express();
  const clients: string[] = [];
  const authorizations: string[] = [];
  const serve = mcpHandler();
  app.post('/mcp', express.json(), async (req, res, next) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
    clients.push(String(peer.subject?.CN ?? ''));
    authorizations.push(req.headers.authorization ?? '');
    if (options.bearer !== undefined && req.headers.authorization !== `Bearer ${options.bearer}`) {
      const metadata = `https://${req.headers.host}/.well-known/oauth-protected-resource/mcp`;
      res.status(401).set('WWW-Authenticate', `Bearer error="invalid_token", resource_metadata="${metadata}"`).json({ error: 'invalid_token' });
      return;
    }
    await serve(req, res, next);
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
    authorizations,
    close: () =>
      new Promise((resolve) => {
        https.closeAllConnections();
        https.close(() => resolve());
      }),
  };
}
