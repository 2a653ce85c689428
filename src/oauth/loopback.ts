import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError } from '../errors.js';

export const CALLBACK_PATH = '/callback';

/** Checks the parameters of an authorization response and returns the code, or throws a CliError. */
export type ResponseCheck = (params: URLSearchParams) => string;

export interface LoopbackListener {
  redirectUrl: string;
  /** Settles with the code of the first response to reach the callback path, or its error. */
  result: Promise<string>;
  close(): Promise<void>;
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${body}</p></body></html>`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Listens on 127.0.0.1 (never on other interfaces) for the redirect that ends the login. The
 * first response that belongs to this login (its `state`) decides the outcome; a forged or stale
 * one gets an error page and is ignored, so the real redirect that follows still completes the
 * login. Anything but the callback path gets a 404.
 */
export async function startLoopback(port: number, belongsToLogin: (params: URLSearchParams) => boolean, check: ResponseCheck): Promise<LoopbackListener> {
  let settle: { resolve(code: string): void; reject(error: Error): void };
  const result = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  let decided = false;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || decided) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('connection', 'close');
    if (!belongsToLogin(url.searchParams)) {
      res.statusCode = 400;
      res.end(page('Not this login', 'This response does not belong to the login mcp-cli is waiting for (its state does not match), so it was ignored.'));
      return;
    }
    decided = true;
    try {
      const code = check(url.searchParams);
      res.end(page('Login complete', 'mcp-cli is now signed in. You can close this window and return to the terminal.'));
      settle.resolve(code);
    } catch (error) {
      res.statusCode = 400;
      res.end(page('Login failed', escapeHtml((error as Error).message)));
      settle.reject(error as Error);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new CliError(`the OAuth callback port ${port} on 127.0.0.1 is in use`, 1, 'close what uses it, or change oauth.callbackPort')
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    redirectUrl: `http://127.0.0.1:${actualPort}${CALLBACK_PATH}`,
    result,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
