import type { ConnectionOptions } from 'node:tls';
import type { Dispatcher } from 'undici';
import { CliError } from '../errors.js';
import { proxyFor, redactedProxy } from './no-proxy.js';
import { rememberProxyRoutingEnv } from './proxy-env.js';

type Env = Record<string, string | undefined>;
type Undici = typeof import('undici');

/** undici is CommonJS: the bundle's chunk exposes it only as the default export. */
export async function loadUndici(): Promise<Undici> {
  const mod = await import('undici');
  return typeof mod.Agent === 'function' ? mod : (mod as unknown as { default: Undici }).default;
}

/**
 * Headers that carry nothing secret, with the protocol's own (`Mcp-*`, `Sec-Fetch-*`): any other one
 * (Authorization, Cookie, X-Vault-Token, an API key header) is taken for a credential.
 */
const HARMLESS_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'connection',
  'content-length',
  'content-type',
  'host',
  'last-event-id',
  'pragma',
  'user-agent',
]);

function headerEntries(headers: Dispatcher.DispatchOptions['headers']): [string, string][] {
  if (headers == null) return [];
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) return (headers as unknown as [string, string][]).map(([k, v]) => [k, String(v)]);
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) pairs.push([String(headers[i]), String(headers[i + 1])]);
    return pairs;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function')
    return [...(headers as Iterable<[string, string]>)].map(([k, v]) => [k, String(v)]);
  return Object.entries(headers as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
}

/**
 * Whether a request carries a credential: a header other than the harmless ones, or a form body
 * (OAuth's token, revocation and device requests hold codes, refresh tokens and client secrets).
 */
function carriesCredential(headers: Dispatcher.DispatchOptions['headers']): boolean {
  return headerEntries(headers).some(
    ([name, value]) =>
      !(HARMLESS_HEADERS.has(name.toLowerCase()) || /^(mcp|sec-fetch)-/i.test(name)) ||
      (name.toLowerCase() === 'content-type' && /x-www-form-urlencoded/i.test(value)),
  );
}

/**
 * undici reports a proxy's refusal of a tunnel (407, 403) as an abort, which fetch turns into "Request
 * was cancelled": this says who refused what instead, the proxy named without its credentials.
 */
function explainingRefusal(handler: Dispatcher.DispatchHandler, proxy: string, url: URL): Dispatcher.DispatchHandler {
  const explain = (error: Error) => {
    const status = /^Proxy response \((\d+)\)/.exec(error.message)?.[1];
    if (status === undefined) return error;
    const why = status === '407' ? ': it wants other credentials (user:password in the proxy URL)' : '';
    return new Error(`the proxy ${redactedProxy(proxy)} refused to connect to ${url.host} (HTTP ${status})${why}`);
  };
  return new Proxy(handler, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      if (property === 'onError') return (error: Error) => (value as (e: Error) => void).call(target, explain(error));
      if (property === 'onResponseError')
        return (controller: unknown, error: Error) => (value as (c: unknown, e: Error) => void).call(target, controller, explain(error));
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
}

export interface ProxyRouting {
  /** The dispatcher for every request: through the proxy the variables name for its URL, or straight. */
  dispatcher: Dispatcher;
  /** The same routing for connections that present a client certificate or trust a CA of their own. */
  withTls(tls: ConnectionOptions, direct: Dispatcher): Dispatcher;
}

/**
 * Routing by HTTPS_PROXY / HTTP_PROXY / NO_PROXY (see no-proxy.ts), one dispatcher chosen per
 * request URL. A plain-HTTP request that carries a credential is refused rather than sent through
 * a proxy, which would read it: https:// goes through a tunnel the proxy cannot read.
 */
export async function proxyRouting(env: Env): Promise<ProxyRouting> {
  const undici = await loadUndici();
  const { Agent, ProxyAgent } = undici;
  const DispatcherClass = undici.Dispatcher as unknown as new () => Dispatcher;

  const route = (direct: Dispatcher, requestTls?: ConnectionOptions): Dispatcher => {
    const agents = new Map<string, Dispatcher>();
    const throughProxy = (proxy: string) => {
      let agent = agents.get(proxy);
      if (!agent) {
        try {
          agent = new ProxyAgent({ uri: proxy, ...(requestTls ? { requestTls } : {}) });
        } catch {
          throw new CliError(
            `the proxy ${redactedProxy(proxy)} is not a valid proxy URL`,
            1,
            'check HTTPS_PROXY / HTTP_PROXY: http://[user:password@]host:port',
          );
        }
        agents.set(proxy, agent);
      }
      return agent;
    };
    class Router extends DispatcherClass {
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        const url = new URL(String(options.origin));
        const proxy = proxyFor(url, env);
        if (proxy === undefined) return direct.dispatch(options, handler);
        if (url.protocol === 'http:' && carriesCredential(options.headers))
          throw new CliError(
            `refusing to send a credential to ${url.origin} over plain HTTP through the proxy ${redactedProxy(proxy)}: the proxy could read it`,
            1,
            `use https:// for ${url.host}, or list it in NO_PROXY if it is reachable without the proxy`,
          );
        return throughProxy(proxy).dispatch(options, explainingRefusal(handler, proxy, url));
      }
      override async close(): Promise<void> {
        await Promise.all([direct, ...agents.values()].map((agent) => agent.close()));
      }
      override async destroy(): Promise<void> {
        await Promise.all([direct, ...agents.values()].map((agent) => agent.destroy()));
      }
    }
    return new Router();
  };
  return { dispatcher: route(new Agent()), withTls: (tls, direct) => route(direct, tls) };
}

let installed: ProxyRouting | undefined;

/** Routes every fetch of this process (global fetch, the SDK's, undici's) by the proxy variables. */
export async function installProxyRouting(env: Env): Promise<void> {
  installed = await proxyRouting(env);
  rememberProxyRoutingEnv(env);
  (await loadUndici()).setGlobalDispatcher(installed.dispatcher);
}

/** A dispatcher of its own (client certificate, CA) routed as the global one, when proxy routing is installed. */
export function routedLikeGlobal(tls: ConnectionOptions, direct: Dispatcher): Dispatcher {
  return installed ? installed.withTls(tls, direct) : direct;
}
