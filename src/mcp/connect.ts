import type { Writable } from 'node:stream';
import type { Client, PriorDiscovery, Transport } from '@modelcontextprotocol/client';
import type { ResolvedServer } from '../config/resolve.js';
import type { ProtocolSetting } from '../config/schema.js';
import type { Env } from '../paths.js';
import { printableStream } from '../io/terminal-text.js';
import { maskingByteStream } from '../masking/byte-stream.js';
import { createMasker, type Masker } from '../masking/masker.js';
import type { SecretSet } from '../masking/secret-set.js';
import { eraKey, eraVerdict, LEGACY_REVISION, MODERN_REVISION, protocolSetting, usableVerdict, type Era, type EraVerdict } from './era.js';
import type { EraCache } from './era-cache.js';
import { carriedError, describeFailure, failureError, httpStatusOf, isEraMismatch, type FailureContext } from './failure.js';
import { completeByDefault } from './result-type.js';
import { routeSdkConsole } from './sdk-console.js';
import { serverSecrets } from './secrets.js';
import { httpParts, httpTransport, stdioTransport, type HttpParts, type WrapFetch } from './transport.js';

export interface ConnectOptions {
  /** The parent's environment, from which a stdio child inherits only a few variables. */
  env: Env;
  /** Where a stdio server's stderr is relayed, and the SDK's warnings said, with every secret masked. */
  stderr: Writable;
  /**
   * What is masked in what the server sends back, its stderr and errors: default the entry's secrets
   * (serverSecrets). The OAuth login adds each access token it sends to the set it is given.
   */
  secrets?: SecretSet;
  /**
   * For HTTP servers that may log in with OAuth: wraps the transport's fetch (plain, or presenting a
   * client certificate) to add the token and refresh it, and tells whether the server turned out to do
   * OAuth, so that a rejection is reported as a missing login (src/oauth/fetch.ts).
   */
  wrapFetch?: WrapFetch;
  /** The remembered eras (the state directory's eras.json); without them every connection settles the era afresh. */
  eras?: EraCache;
  now?: () => Date;
  /**
   * Prepares the client before it connects: capabilities, and handlers for what the server may ask of it
   * (`mask` hides the entry's secrets in what the server says, for showing it).
   */
  prepare?: (client: Client, mask: (text: string) => string) => void;
}

export interface Connection {
  /** The SDK client; another one after a remembered era turned out wrong. */
  readonly client: Client;
  readonly era: Era;
  /** The revision the connection settled on. */
  readonly protocolVersion: string | undefined;
  /** The server's name and version as it gave them, masked (for display). */
  readonly server: { name: string; version: string } | undefined;
  /** How long opening took: the transport, and `initialize` or `server/discover` (nothing at all with a remembered 2026 verdict). */
  readonly connectMs: number;
  /** Runs requests: what comes back has the server's secrets masked; a failure is a CliError (exit 4 for a credential). */
  request<T>(fn: (client: Client) => Promise<T>): Promise<T>;
  /** The liveness check of the era: `ping` in 2025, `server/discover` in 2026 (which has no ping). Resolves with its round trip in milliseconds. */
  alive(): Promise<number>;
  close(): Promise<void>;
}

/** How the SDK settles the era for a setting: probe, pin (never falls back), or the plain 2025 `initialize`. */
function negotiation(setting: ProtocolSetting) {
  if (setting === 'auto') return { mode: 'auto' as const };
  return setting === MODERN_REVISION ? { mode: { pin: MODERN_REVISION } } : { mode: 'legacy' as const };
}

function priorOf(verdict: EraVerdict): PriorDiscovery {
  return verdict.era === 'modern' ? ({ kind: 'modern', discover: verdict.discover } as PriorDiscovery) : { kind: 'legacy' };
}

/** What a connected client learnt, as a verdict to remember: the server's advertisement without its instructions, masked. */
function verdictOf(client: Client, masker: Masker, now: Date): EraVerdict | undefined {
  const era = client.getProtocolEra();
  const protocolVersion = client.getNegotiatedProtocolVersion();
  if (!era || !protocolVersion) return undefined;
  return masker.json(eraVerdict(era, protocolVersion, client.getServerVersion(), client.getDiscoverResult(), now));
}

/**
 * Whether a failure says the server does not speak the era a remembered verdict chose: a cached 2026
 * advertisement it no longer honours, a `-32022` unsupported protocol version, or an HTTP 400 refusing the
 * request before anything ran (a 2025 server refusing a 2026 request, a 2026-only server refusing `initialize`).
 */
function isEraError(error: unknown): boolean {
  return carriedError(error) === undefined && (isEraMismatch(error) || httpStatusOf(error) === 400);
}

/**
 * Turns a resolved server entry into a connected SDK client. The era: the entry's `protocol`, else a
 * probe for streamable HTTP (`server/discover`, falling back to `initialize`) and the 2025 opening for
 * stdio and SSE. A verdict learnt by a probe is remembered (`eras`), so the next connection sends no
 * probe; when a remembered verdict turns out wrong, the server is asked again, once.
 */
export async function connect(server: ResolvedServer, options: ConnectOptions): Promise<Connection> {
  const entry = server.entry;
  const setting = protocolSetting(entry);
  const now = options.now ?? (() => new Date());
  const eras = setting !== LEGACY_REVISION ? options.eras : undefined;
  const key = eraKey(server.name, server.masked);
  const masker = createMasker(options.secrets ?? serverSecrets(server));
  const release = routeSdkConsole(options.stderr, masker.text);
  let parts: HttpParts | undefined;
  let transport: Transport | undefined;
  const context = (): FailureContext => ({
    ...(parts?.observed.authStatus !== undefined ? { authStatus: parts.observed.authStatus } : {}),
    ...(parts?.observed.tlsError() !== undefined ? { tlsError: parts.observed.tlsError()! } : {}),
    usesOAuth: parts?.observed.usesOAuth() ?? entry.oauth !== undefined,
    ...(transport?.sessionId !== undefined ? { sessionId: transport.sessionId } : {}),
    mask: masker.text,
  });
  const fail = (error: unknown) => carriedError(error) ?? failureError(describeFailure(server, error, context()));

  const open = async (verdict: EraVerdict | undefined): Promise<Client> => {
    const { Client } = await import('@modelcontextprotocol/client');
    transport =
      entry.transport === 'stdio'
        ? // The server's words could drive a terminal (clipboard writes, screen clears): escaped, piped or not, as
          // stderr so often ends on one (`2>&1 | tee`). `run` relays it to the client apart from this.
          await stdioTransport(entry, options.env, options.stderr, [maskingByteStream(masker.secrets), printableStream()])
        : await httpTransport(entry, parts!);
    const client = new Client({ name: 'mcp-cli', version: MCP_CLI_VERSION }, { versionNegotiation: negotiation(setting) });
    options.prepare?.(client, masker.text);
    try {
      await client.connect(
        completeByDefault(transport, () => client.getProtocolEra() === 'modern'),
        verdict ? { prior: priorOf(verdict) } : undefined,
      );
      return client;
    } catch (error) {
      await client.close().catch(() => undefined);
      await transport.close().catch(() => undefined);
      throw error;
    }
  };
  const remember = async (client: Client) => {
    const verdict = eras && verdictOf(client, masker, now());
    if (verdict) await eras.write(key, verdict);
  };
  const shutDown = async (client?: Client) => {
    try {
      await client?.close();
    } finally {
      await parts?.close().catch(() => undefined);
      release();
    }
  };

  const started = performance.now();
  let remembered = eras ? usableVerdict(eras.fresh(key), setting) : undefined;
  let client: Client;
  try {
    if (entry.transport !== 'stdio') parts = await httpParts(entry, server.name, options.wrapFetch);
    try {
      client = await open(remembered);
    } catch (error) {
      if (!remembered || !isEraError(error)) throw error;
      remembered = undefined;
      await eras!.forget(key);
      client = await open(undefined);
    }
    if (!remembered) await remember(client);
  } catch (error) {
    await shutDown();
    throw fail(error);
  }
  const connectMs = performance.now() - started;
  // `initialize` proves a remembered 2025 verdict; a remembered 2026 one sent nothing, so the first answer proves it.
  let proven = remembered?.era !== 'modern';

  const request = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
    try {
      const result = await fn(client);
      proven = true;
      return masker.json(result);
    } catch (error) {
      if (proven || !isEraError(error)) throw fail(error);
      proven = true;
    }
    try {
      await eras!.forget(key);
      await client.close().catch(() => undefined);
      client = await open(undefined);
      await remember(client);
      return masker.json(await fn(client));
    } catch (error) {
      throw fail(error);
    }
  };

  return {
    get client() {
      return client;
    },
    get era() {
      return client.getProtocolEra() ?? 'legacy';
    },
    get protocolVersion() {
      return client.getNegotiatedProtocolVersion();
    },
    get server() {
      const info = client.getServerVersion();
      return info && { name: masker.text(String(info.name)), version: masker.text(String(info.version)) };
    },
    connectMs,
    request,
    async alive() {
      const started = performance.now();
      if (client.getProtocolEra() !== 'modern') {
        await request((c) => c.ping());
        return performance.now() - started;
      }
      await request((c) => c.discover());
      const ms = performance.now() - started;
      await remember(client);
      return ms;
    },
    close: () => shutDown(client),
  };
}
