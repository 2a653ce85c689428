// A real forwarding HTTP proxy on 127.0.0.1: CONNECT tunnels (for https://) and plain-HTTP
// forwarding of absolute-form requests, with an optional Proxy-Authorization check. It records
// every host and port that passed through it, and every Authorization header it could read.
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxiedRequest {
  /** CONNECT for a tunnel, else the forwarded request's method. */
  method: string;
  host: string;
  port: number;
  /** The Authorization header of a forwarded plain-HTTP request (a tunnel's is out of the proxy's sight). */
  authorization?: string;
}

export interface ForwardProxy {
  /** http://127.0.0.1:PORT, with user:pass when the proxy asks for them. */
  url: string;
  port: number;
  seen: ProxiedRequest[];
  /** Requests turned away for lack of the right Proxy-Authorization. */
  refused: number;
  close(): Promise<void>;
}

export async function startForwardProxy(options: { user?: string; password?: string } = {}): Promise<ForwardProxy> {
  const seen: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const expected = options.user !== undefined ? `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}` : undefined;
  const state = { refused: 0 };
  const authorized = (request: IncomingMessage) => {
    if (expected === undefined || request.headers['proxy-authorization'] === expected) return true;
    state.refused++;
    return false;
  };

  const server = createServer((request, response) => {
    if (!authorized(request)) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"' }).end();
      return;
    }
    const target = new URL(request.url ?? '');
    const port = Number(target.port || 80);
    seen.push({
      method: request.method ?? '',
      host: target.hostname,
      port,
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    });
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest({ host: target.hostname, port, method: request.method, path: `${target.pathname}${target.search}`, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });

  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (!authorized(request)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host = '', port = '443'] = splitHostPort(request.url ?? '');
    seen.push({ method: 'CONNECT', host, port: Number(port) });
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const credentials = options.user !== undefined ? `${encodeURIComponent(options.user)}:${encodeURIComponent(options.password ?? '')}@` : '';
  return {
    url: `http://${credentials}127.0.0.1:${port}`,
    port,
    seen,
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** "host:port" or "[v6]:port". */
function splitHostPort(authority: string): [string, string] {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(authority) ?? /^([^:]+):(\d+)$/.exec(authority);
  return match ? [match[1]!, match[2]!] : [authority, '443'];
}
