// An HTTPS front for a plain-HTTP test server on 127.0.0.1: TLS with a certificate of a throw-away
// CA (test/helpers/tls.ts), every request passed on to the server behind it.
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface TlsFront {
  /** https://127.0.0.1:PORT */
  origin: string;
  close(): Promise<void>;
}

export async function startTlsFront(behind: string, tls: { key: Buffer; cert: Buffer }): Promise<TlsFront> {
  const target = new URL(behind);
  const server = createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
