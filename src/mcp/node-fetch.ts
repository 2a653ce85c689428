import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { proxyFor } from '../net/no-proxy.js';
import { proxyRoutingEnv } from '../net/proxy-env.js';

type Fetch = typeof fetch;

export interface NodeFetch {
  fetch: Fetch;
  /** Closes the kept-alive connections. */
  close(): void;
}

const NULL_BODY = new Set([101, 204, 205, 304]);
const MAX_REDIRECTS = 5;

/**
 * A fetch over Node's own HTTP client, for the long-lived `mcp-cli run` bridge: Node's built-in fetch
 * (undici, with its WebAssembly HTTP parser) costs a bridge about 20 MiB of memory for the same
 * requests, and a client may start ten bridges. It does what the MCP transport needs: one request,
 * the answer as a web `Response` whose body streams (event streams last hours), keep-alive, an abort
 * signal, a compressed answer decoded, and a 307/308 to the same origin followed (a server that moves
 * `/mcp` to `/mcp/`). Anything else (another origin, a body that is a stream, a request that goes
 * through a proxy, which fetch's dispatcher routes and guards: src/net) is left to fetch.
 */
export function nodeFetch(): NodeFetch {
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  const request = (url: URL, init: RequestInit, headers: Record<string, string>, redirects: number): Promise<Response> =>
    new Promise((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, { method: init.method ?? 'GET', headers, agent: agents[url.protocol as keyof typeof agents] });
      const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      let answered = false;
      req.once('error', (error: NodeJS.ErrnoException) => {
        done();
        // A kept-alive connection the server closed just before this request: tried once more on a new one.
        if (!answered && req.reusedSocket && !signal?.aborted && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))
          return resolve(request(url, init, headers, redirects));
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
      });
      req.once('response', (res) => {
        answered = true;
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if ((status === 307 || status === 308) && location !== undefined && redirects < MAX_REDIRECTS) {
          const next = new URL(location, url);
          if (next.origin === url.origin) {
            res.resume();
            done();
            return resolve(request(next, init, headers, redirects + 1));
          }
        }
        res.once('close', done);
        const body = NULL_BODY.has(status) || init.method === 'HEAD' ? null : decoded(res);
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        if (body === null) res.resume();
        resolve(
          new Response(body && (Readable.toWeb(body) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage ?? '', headers: responseHeaders }),
        );
      });
      req.end(init.body as string | Uint8Array | undefined);
    });

  const fetchOver: Fetch = async (input, init = {}) => {
    const body = init.body;
    if (input instanceof Request || (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)))
      return fetch(input, init);
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
    const routing = proxyRoutingEnv();
    if (routing && proxyFor(url, routing) !== undefined) return fetch(input, init);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    return request(url, init, headers, 0);
  };
  return {
    fetch: fetchOver,
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function decoded(res: http.IncomingMessage): Readable {
  const encoding = res.headers['content-encoding']?.trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!decoder) return res;
  res.once('error', (error) => decoder.destroy(error));
  return res.pipe(decoder);
}
