import type { Writable } from 'node:stream';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPReconnectionOptions } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { describeReference } from '../config/references.js';
import type { ResolvedServer } from '../config/resolve.js';
import type { HttpServerEntry, StdioServerEntry } from '../config/schema.js';
import { CliError, ExitCode } from '../errors.js';
import type { OAuthFetch } from '../oauth/fetch.js';
import type { Env } from '../paths.js';
import { StoreError } from '../stores/errors.js';
import { childEnvironment } from './child-env.js';
import { maskingStream, maskSecrets } from './mask.js';
import { describeTlsFailure, type TlsFetch } from './tls-fetch.js';

export interface ConnectOptions {
  /** The parent's environment, from which a stdio child inherits only a few variables. */
  env: Env;
  /** Where a stdio server's stderr is relayed, with every resolved secret masked. */
  stderr: Writable;
  /**
   * For HTTP servers that may log in with OAuth: wraps the transport's fetch (plain, or presenting a
   * client certificate) to add the token and refresh it, and tells whether the server turned out to do
   * OAuth, so that a rejection is reported as a missing login (src/oauth/fetch.ts).
   */
  wrapFetch?: (base: Fetch) => OAuthFetch;
}

export interface Connection {
  client: Client;
  /** How long starting the transport and the initialize handshake took. */
  initializeMs: number;
  /** Runs requests, turning an authentication failure into exit 4 and masking secrets in other errors. */
  request<T>(fn: (client: Client) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** What the transport saw of the server's answers that the SDK's errors do not always say. */
interface Observed {
  authStatus?: number;
  /** Releases the connections of a client-certificate agent. */
  closeTls?: () => Promise<void>;
  tlsError?: () => string | undefined;
  /** Whether the OAuth fetch found the server doing OAuth. */
  usesOAuth?: () => boolean;
}

type Fetch = typeof fetch;

function observingFetch(observed: Observed, base: Fetch = fetch): Fetch {
  return async (input, init) => {
    const response = await base(input, init);
    observed.authStatus = response.status === 401 || response.status === 403 ? response.status : undefined;
    return response;
  };
}

/** What an HTTP server's transport is made of: its URL, the fetch (client certificate, then OAuth), and what to release. */
export interface HttpTransportParts {
  url: URL;
  fetch: Fetch;
  oauth?: OAuthFetch;
  closeTls?: () => Promise<void>;
  lastTlsError: () => string | undefined;
}

export async function httpTransportParts(entry: HttpServerEntry, label: string, wrapFetch?: (base: Fetch) => OAuthFetch): Promise<HttpTransportParts> {
  let url: URL;
  try {
    url = new URL(entry.url);
  } catch {
    throw new CliError(`server '${label}': url is not a valid URL after resolving references`);
  }
  let base: Fetch = fetch;
  let tls: TlsFetch | undefined;
  if (entry.tls) {
    const { tlsFetch } = await import('./tls-fetch.js');
    tls = await tlsFetch(entry.tls);
    base = tls.fetch;
  }
  const oauth = wrapFetch?.(base);
  return {
    url,
    fetch: oauth?.fetch ?? base,
    ...(oauth ? { oauth } : {}),
    ...(tls ? { closeTls: tls.close } : {}),
    lastTlsError: tls?.lastTlsError ?? (() => undefined),
  };
}

/** The SDK's client transport for an HTTP entry: streamable HTTP, or SSE where the entry says so. */
export async function sdkHttpTransport(
  entry: HttpServerEntry,
  url: URL,
  fetchFn: Fetch,
  reconnectionOptions?: StreamableHTTPReconnectionOptions,
): Promise<Transport> {
  const common = { requestInit: { headers: entry.headers }, fetch: fetchFn };
  if (entry.transport === 'sse') {
    const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
    return new SSEClientTransport(url, common);
  }
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  return new StreamableHTTPClientTransport(url, { ...common, ...(reconnectionOptions ? { reconnectionOptions } : {}) });
}

async function httpTransport(entry: HttpServerEntry, label: string, options: ConnectOptions, observed: Observed): Promise<Transport> {
  const parts = await httpTransportParts(entry, label, options.wrapFetch);
  observed.closeTls = parts.closeTls;
  observed.tlsError = parts.lastTlsError;
  observed.usesOAuth = parts.oauth?.usesOAuth;
  return sdkHttpTransport(entry, parts.url, observingFetch(observed, parts.fetch));
}

async function stdioTransport(entry: StdioServerEntry, server: ResolvedServer, options: ConnectOptions): Promise<Transport> {
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    env: childEnvironment(options.env, entry.env),
    ...(entry.cwd !== undefined ? { cwd: entry.cwd } : {}),
    stderr: 'pipe',
  });
  transport.stderr?.pipe(maskingStream(server.secrets)).pipe(options.stderr, { end: false });
  return transport;
}

/** The one place where a rejected credential becomes exit 4, naming what to fix. */
export function authenticationError(server: ResolvedServer, status: number | undefined, viaOAuth: boolean): CliError {
  const answer = status ? `answered HTTP ${status}` : 'requires authorization';
  if (viaOAuth)
    return new CliError(
      `server '${server.name}' ${answer}: the OAuth login is missing or no longer valid`,
      ExitCode.authRequired,
      `log in: mcp-cli auth login ${server.name}`,
    );
  const sent = server.uses.filter((u) => u.reference.kind === 'token' && (u.field === 'url' || u.field.startsWith('headers.')));
  if (sent.length === 0)
    return new CliError(
      `server '${server.name}' ${answer}, and its entry sends no stored token`,
      ExitCode.authRequired,
      'store one with `mcp-cli token set` and reference it in a header, e.g. "Authorization": "Bearer ${TOKEN:bearer:NAME}"; or, for an OAuth server that publishes no OAuth metadata (MCP 2025-03-26), add "oauth": {} to its entry',
    );
  const which = [...new Set(sent.map((u) => `${describeReference(u.reference)} (${u.field})`))].join(', ');
  const first = sent[0]!.reference;
  const hint = first.kind === 'token' ? `store a valid value: mcp-cli token set ${first.name} --namespace ${first.namespace}` : undefined;
  return new CliError(`server '${server.name}' ${answer}: the credentials from ${which} were rejected`, ExitCode.authRequired, hint);
}

function connectionError(server: ResolvedServer, error: unknown, observed: Observed): CliError | StoreError {
  if (error instanceof CliError || error instanceof StoreError) return error;
  const err = error as Error & { code?: unknown; cause?: { code?: string } };
  if (observed.authStatus !== undefined || err.name === 'UnauthorizedError')
    return authenticationError(server, observed.authStatus, observed.usesOAuth?.() === true || server.entry.oauth !== undefined);
  const where = server.masked.transport === 'stdio' ? `command ${server.masked.command}` : server.masked.url;
  const cause = observed.tlsError?.() ?? rootCauseCode(err);
  const tls = cause !== undefined && server.entry.transport !== 'stdio' ? describeTlsFailure(cause, server.entry.tls?.cert !== undefined) : undefined;
  if (tls) return new CliError(`server '${server.name}' (${where}) ${tls.message}`, tls.auth ? ExitCode.authRequired : ExitCode.failure, tls.hint);
  if (cause === 'ECONNREFUSED') return new CliError(`cannot reach server '${server.name}' at ${where}: connection refused`);
  if (cause === 'ENOENT' && server.masked.transport === 'stdio')
    return new CliError(`cannot start server '${server.name}': ${where} not found`, ExitCode.failure, 'check "command" (and PATH)');
  return new CliError(`server '${server.name}' (${where}): ${maskSecrets(err.message ?? String(error), server.secrets)}`);
}

/** The error code at the bottom of a chain of causes (fetch wraps a socket's TLS error in "fetch failed", the SDK may wrap that again). */
function rootCauseCode(error: unknown): string | undefined {
  let code: string | undefined;
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') code = e.code;
  }
  return code;
}

/** Connects to a resolved server with the MCP SDK and initializes the session. */
export async function connect(server: ResolvedServer, options: ConnectOptions): Promise<Connection> {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const started = performance.now();
  const observed: Observed = {};
  const entry = server.entry;
  const transport = entry.transport === 'stdio' ? await stdioTransport(entry, server, options) : await httpTransport(entry, server.name, options, observed);
  const client = new Client({ name: 'mcp-cli', version: MCP_CLI_VERSION });
  const request = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    try {
      return await fn(client);
    } catch (error) {
      throw connectionError(server, error, observed);
    }
  };
  const close = async () => {
    try {
      await client.close();
    } finally {
      await observed.closeTls?.();
    }
  };
  try {
    await request((c) => c.connect(transport));
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { client, initializeMs: performance.now() - started, request, close };
}
