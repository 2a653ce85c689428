import type { Readable, Transform, Writable } from 'node:stream';
import type { StreamableHTTPReconnectionOptions, Transport } from '@modelcontextprotocol/client';
import type { HttpServerEntry, StdioServerEntry } from '../config/schema.js';
import { CliError } from '../errors.js';
import type { OAuthFetch } from '../oauth/fetch.js';
import type { Env } from '../paths.js';
import { childEnvironment } from './child-env.js';
import type { TlsFetch } from './tls-fetch.js';

export type Fetch = typeof fetch;

/** Adds a server's OAuth login to a fetch (plain, or presenting a client certificate): src/oauth/fetch.ts. */
export type WrapFetch = (base: Fetch) => OAuthFetch;

/** What the HTTP side of a connection saw that the SDK's errors do not always say. */
export interface HttpObservations {
  /** The status of the last answer, when it was 401 or 403. */
  authStatus?: number;
  /** The code of the last TLS error (see tls-fetch.ts). */
  tlsError(): string | undefined;
  /** Whether the server turned out to do OAuth (configured, or advertised by a 401). */
  usesOAuth(): boolean;
}

/** An HTTP entry's connection, short of the MCP transport: its URL, the fetch (client certificate, then OAuth, then observation), and what to release. */
export interface HttpParts {
  url: URL;
  fetch: Fetch;
  observed: HttpObservations;
  close(): Promise<void>;
}

/**
 * `plain` is the fetch for an entry without a client certificate: Node's own by default; the
 * long-lived bridge passes its lighter one (node-fetch.ts).
 */
export async function httpParts(entry: HttpServerEntry, label: string, wrapFetch?: WrapFetch, plain: Fetch = fetch): Promise<HttpParts> {
  let url: URL;
  try {
    url = new URL(entry.url);
  } catch {
    throw new CliError(`server '${label}': url is not a valid URL after resolving references`);
  }
  let base: Fetch = plain;
  let tls: TlsFetch | undefined;
  if (entry.tls) {
    const { tlsFetch } = await import('./tls-fetch.js');
    tls = await tlsFetch(entry.tls);
    base = tls.fetch;
  }
  const oauth = wrapFetch?.(base);
  const inner = oauth?.fetch ?? base;
  const observed: HttpObservations = {
    tlsError: tls?.lastTlsError ?? (() => undefined),
    usesOAuth: () => oauth?.usesOAuth() === true || entry.oauth !== undefined,
  };
  const observing: Fetch = async (input, init) => {
    const response = await inner(input, init);
    observed.authStatus = response.status === 401 || response.status === 403 ? response.status : undefined;
    return response;
  };
  return { url, fetch: observing, observed, close: async () => tls?.close() };
}

/**
 * The SDK's client transport for an HTTP entry: streamable HTTP (which follows the server's SSE `retry`
 * and resumes a dropped stream with `Last-Event-ID`), or the older SSE transport where the entry says so.
 */
export async function httpTransport(entry: HttpServerEntry, parts: HttpParts, reconnectionOptions?: StreamableHTTPReconnectionOptions): Promise<Transport> {
  const { SSEClientTransport, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const common = { requestInit: { headers: entry.headers }, fetch: parts.fetch };
  if (entry.transport === 'sse') return new SSEClientTransport(parts.url, common);
  return new StreamableHTTPClientTransport(parts.url, { ...common, ...(reconnectionOptions ? { reconnectionOptions } : {}) });
}

/** The SDK's stdio transport: the server gets a minimal environment with its resolved `env`, and its stderr is relayed to `stderr` through the filters. */
export async function stdioTransport(entry: StdioServerEntry, env: Env, stderr: Writable, filters: Transform[]): Promise<Transport> {
  const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    env: childEnvironment(env, entry.env),
    ...(entry.cwd !== undefined ? { cwd: entry.cwd } : {}),
    stderr: 'pipe',
  });
  // The SDK types it as a Stream; it is the PassThrough it pipes the child's stderr into.
  const relayed = transport.stderr as Readable | null;
  if (relayed) filters.reduce<Readable>((from, filter) => from.pipe(filter), relayed).pipe(stderr, { end: false });
  return transport;
}
