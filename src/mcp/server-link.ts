import type { Writable } from 'node:stream';
import type { ResolvedServer } from '../config/resolve.js';
import type { HttpServerEntry } from '../config/schema.js';
import type { Masker } from '../masking/masker.js';
import { describeFailure, type Failure } from './failure.js';
import { nodeFetch } from './node-fetch.js';
import type { HeaderDeclaration } from './standard-headers.js';
import { StreamableHttpLink, type ReconnectionOptions, type ServerLink } from './streamable-http.js';
import { httpParts, type HttpParts, type WrapFetch } from './transport.js';
import { isObject, type Message } from './wire.js';

/** The server side of `mcp-cli run`'s bridge: a link to an HTTP server, and what its failures mean. */
export interface OpenedLink {
  link: ServerLink;
  /** Why a send (or the link) failed, with the secrets of `masker` masked. */
  describe(error: unknown): Failure;
  close(): Promise<void>;
}

export interface LinkOptions {
  wrapFetch?: WrapFetch;
  masker: Masker;
  stderr: Writable;
  reconnection: ReconnectionOptions;
  toolHeaders?: (name: string) => readonly HeaderDeclaration[] | undefined;
}

/**
 * The link of an HTTP entry (its headers, client certificate and OAuth login), for relaying JSON-RPC
 * messages. Streamable HTTP goes through mcp-cli's own message-level client over Node's HTTP client,
 * which keeps the MCP SDK, zod and undici out of a bridge that runs for hours; the older SSE
 * transport, 2025 only, through the SDK's.
 */
export async function openServerLink(server: ResolvedServer, options: LinkOptions): Promise<OpenedLink> {
  const entry = server.entry as HttpServerEntry;
  const plain = entry.transport === 'sse' ? undefined : nodeFetch();
  const release: (() => void)[] = [() => plain?.close()];
  try {
    const parts = await httpParts(entry, server.name, options.wrapFetch, plain?.fetch);
    release.push(() => void parts.close());
    const link =
      entry.transport === 'sse'
        ? await sseLink(entry, parts, options.masker, options.stderr, release)
        : new StreamableHttpLink({
            url: parts.url,
            headers: entry.headers,
            fetch: parts.fetch,
            reconnection: options.reconnection,
            ...(options.toolHeaders ? { toolHeaders: options.toolHeaders } : {}),
          });
    return {
      link,
      describe: (error) =>
        describeFailure(server, error, {
          ...(parts.observed.tlsError() !== undefined ? { tlsError: parts.observed.tlsError()! } : {}),
          usesOAuth: parts.observed.usesOAuth(),
          ...(link.sessionId !== undefined ? { sessionId: link.sessionId } : {}),
          mask: options.masker.text,
        }),
      close: async () => {
        for (const undo of release.reverse()) undo();
      },
    };
  } catch (error) {
    for (const undo of release.reverse()) undo();
    throw error;
  }
}

/** The SDK's SSE transport as a link: its messages arrive on one stream, so none is known to answer a particular request. */
async function sseLink(entry: HttpServerEntry, parts: HttpParts, masker: Masker, stderr: Writable, release: (() => void)[]): Promise<ServerLink> {
  const [{ SSEClientTransport }, { routeSdkConsole }] = await Promise.all([import('@modelcontextprotocol/client'), import('./sdk-console.js')]);
  // stdout is the client's JSON-RPC channel: the SDK's console output goes to stderr, masked.
  release.push(routeSdkConsole(stderr, masker.text));
  const transport = new SSEClientTransport(parts.url, { requestInit: { headers: entry.headers }, fetch: parts.fetch });
  const link: ServerLink = {
    tellsStreamsApart: false,
    sessionId: undefined,
    start: () => transport.start(),
    send: (message) => transport.send(message as never),
    setProtocolVersion: (version) => transport.setProtocolVersion?.(version),
    terminateSession: async () => undefined,
    close: () => transport.close(),
  };
  transport.onmessage = (message) => {
    if (isObject(message)) link.onmessage?.(message as Message, undefined);
  };
  transport.onerror = (error) => link.onerror?.(error);
  transport.onclose = () => link.onclose?.();
  return link;
}
