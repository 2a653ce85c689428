// A server on 127.0.0.1 that records every request it receives (method, URL, headers, body) and
// answers 404: where a hostile config would send secrets, a test puts one of these and checks
// that nothing arrived.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CaughtRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Catcher {
  origin: string;
  requests: CaughtRequest[];
  /** Every request as one string, to search for sentinel values. */
  everything(): string;
  close(): Promise<void>;
}

export async function startCatcher(
  answer: (req: CaughtRequest) => { status: number; body?: string; headers?: Record<string, string> } = () => ({ status: 404 }),
): Promise<Catcher> {
  const requests: CaughtRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const caught = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(caught);
      const reply = answer(caught);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    everything: () => JSON.stringify(requests),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
