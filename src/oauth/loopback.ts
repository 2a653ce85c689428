import { randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError } from '../errors.js';
import { fromAnotherAccount, type ConnectionEnds } from './loopback-peer.js';

export const CALLBACK_PATH = '/callback';
const LAUNCH_PREFIX = '/login/';
/** How long the one-time link stays valid: long enough for a browser to start, and no longer. */
export const LAUNCH_LINK_LIFETIME_MS = 2 * 60_000;

/** Checks the parameters of an authorization response and returns the code, or throws a CliError. */
export type ResponseCheck = (params: URLSearchParams) => string;

export interface LoopbackListener {
  redirectUrl: string;
  /** Settles with the code of the first response to reach the callback path, or its error. */
  result: Promise<string>;
  /**
   * A one-time link on this listener that sends the browser on to `authorizationUrl`: what the
   * browser is started with, so that the authorization request (its state, its PKCE challenge) is on
   * no command line, where every account on the machine could read it.
   */
  launchUrl(authorizationUrl: URL): string;
  close(): Promise<void>;
}

export interface LoopbackOptions {
  linkLifetimeMs?: number;
  /** Whether a connection comes from another local account (refused); by default, what the system says (Linux). */
  fromAnotherAccount?: (ends: ConnectionEnds) => Promise<boolean>;
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${body}</p></body></html>`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface LaunchLink {
  path: string;
  location: string;
  expiresAt: number;
  used: boolean;
}

/**
 * Listens on 127.0.0.1 (never on other interfaces) for the redirect that ends the login. The
 * first response that belongs to this login (its `state`) decides the outcome; a forged or stale
 * one gets an error page and is ignored, so the real redirect that follows still completes the
 * login. The one-time launch link answers once with a redirect to the authorization request; a
 * second request for it means that someone else may hold the request, and stops the login.
 * Connections from another local account are refused, where the system says whose they are.
 * Anything else gets a 404.
 */
export async function startLoopback(
  port: number,
  belongsToLogin: (params: URLSearchParams) => boolean,
  check: ResponseCheck,
  options: LoopbackOptions = {},
): Promise<LoopbackListener> {
  const anotherAccount = options.fromAnotherAccount ?? fromAnotherAccount;
  let settle: { resolve(code: string): void; reject(error: Error): void };
  const result = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  let decided = false;
  let link: LaunchLink | undefined;
  const fail = (error: Error) => {
    decided = true;
    settle.reject(error);
  };

  const launch = (res: ServerResponse, launched: LaunchLink) => {
    if (Date.now() > launched.expiresAt) {
      res.statusCode = 410;
      res.end(page('Link expired', 'This login link has expired. Open the URL that mcp-cli printed in the terminal instead.'));
      return;
    }
    if (launched.used) {
      res.statusCode = 410;
      res.end(page('Link already used', 'This login link works once, and it was opened before. mcp-cli stopped the login; run it again.'));
      fail(
        new CliError(
          'the one-time login link was requested a second time: another program on this machine may hold the authorization request, so the login was stopped',
          1,
          'run the login again; if it happens again, check which programs on this machine open local links',
        ),
      );
      return;
    }
    launched.used = true;
    res.writeHead(302, { location: launched.location, 'referrer-policy': 'no-referrer' }).end();
  };

  const callback = (res: ServerResponse, params: URLSearchParams) => {
    if (!belongsToLogin(params)) {
      res.statusCode = 400;
      res.end(page('Not this login', 'This response does not belong to the login mcp-cli is waiting for (its state does not match), so it was ignored.'));
      return;
    }
    decided = true;
    try {
      const code = check(params);
      res.end(page('Login complete', 'mcp-cli is now signed in. You can close this window and return to the terminal.'));
      settle.resolve(code);
    } catch (error) {
      res.statusCode = 400;
      res.end(page('Login failed', escapeHtml((error as Error).message)));
      settle.reject(error as Error);
    }
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const launched = link && url.pathname === link.path ? link : undefined;
    if (req.method !== 'GET' || decided || (url.pathname !== CALLBACK_PATH && !launched)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    void anotherAccount(req.socket).then(
      (refused) => {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.setHeader('cache-control', 'no-store');
        res.setHeader('connection', 'close');
        if (decided) res.writeHead(404).end(page('Not found', 'This login has ended.'));
        else if (refused) res.writeHead(403).end(page('Not your login', 'This login belongs to another account on this machine.'));
        else if (launched) launch(res, launched);
        else callback(res, url.searchParams);
      },
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('mcp-cli could not check this connection'),
    );
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
  const origin = `http://127.0.0.1:${actualPort}`;
  return {
    redirectUrl: `${origin}${CALLBACK_PATH}`,
    result,
    launchUrl(authorizationUrl) {
      link = {
        path: `${LAUNCH_PREFIX}${randomBytes(32).toString('base64url')}`,
        location: authorizationUrl.href,
        expiresAt: Date.now() + (options.linkLifetimeMs ?? LAUNCH_LINK_LIFETIME_MS),
        used: false,
      };
      return `${origin}${link.path}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
