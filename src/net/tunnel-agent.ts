import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { proxyFor, redactedProxy } from './no-proxy.js';
import { proxyRoutingEnv } from './proxy-env.js';

/** An https agent whose connections go through an HTTP CONNECT tunnel: the proxy sees the host and port, never what passes. */
class TunnelingAgent extends HttpsAgent {
  constructor(
    private readonly proxy: URL,
    options: AgentOptions,
  ) {
    super(options);
  }

  override createConnection(requestOptions: RequestOptions, reply?: (error: Error | null, stream: Duplex) => void): undefined {
    const options = requestOptions as ConnectionOptions & RequestOptions;
    const callback = (error: Error | null, stream?: Duplex) => reply?.(error, stream as Duplex);
    const authority = `${options.host?.includes(':') ? `[${options.host}]` : options.host}:${options.port ?? 443}`;
    const headers: Record<string, string> = { host: authority };
    if (this.proxy.username !== '' || this.proxy.password !== '')
      headers['proxy-authorization'] =
        `Basic ${Buffer.from(`${decodeURIComponent(this.proxy.username)}:${decodeURIComponent(this.proxy.password)}`).toString('base64')}`;
    const send = this.proxy.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send({
      hostname: this.proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: this.proxy.port || (this.proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers,
    });
    request.once('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        callback(new Error(`the proxy ${redactedProxy(this.proxy.href)} refused to open a tunnel to ${authority} (${response.statusCode})`));
        return;
      }
      const secure = tlsConnect({ ...options, socket });
      secure.once('secureConnect', () => callback(null, secure));
      secure.once('error', (error) => callback(error));
    });
    request.once('error', (error) =>
      callback(new Error(`cannot reach the proxy ${redactedProxy(this.proxy.href)}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)),
    );
    request.end();
    return undefined;
  }
}

/**
 * The agent for node:http(s) requests to `address` (Vault): tunnelled through the proxy the routing
 * variables name for it, or a plain one. Plain HTTP through a proxy is refused: every such request
 * carries a token or login secrets, which the proxy would read.
 */
export function proxiedAgent(address: URL, options: AgentOptions, refuse: (message: string, hint: string) => Error): HttpAgent {
  const env = proxyRoutingEnv();
  const proxy = env ? proxyFor(address, env) : undefined;
  if (proxy === undefined) return address.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
  if (address.protocol !== 'https:')
    throw refuse(
      `refusing to send credentials to ${address.origin} over plain HTTP through the proxy ${redactedProxy(proxy)}: the proxy could read them`,
      `use https:// for ${address.host}, or list it in NO_PROXY if it is reachable without the proxy`,
    );
  let proxyUrl: URL;
  try {
    proxyUrl = new URL(proxy);
  } catch {
    throw refuse(`the proxy ${redactedProxy(proxy)} is not a valid proxy URL`, 'check HTTPS_PROXY: http://[user:password@]host:port');
  }
  return new TunnelingAgent(proxyUrl, options);
}
