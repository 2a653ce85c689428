import type { Readable, Writable } from 'node:stream';
import type { ResolvedServer } from '../config/resolve.js';
import { printable } from '../io/terminal-text.js';
import { ExitCode } from '../errors.js';
import type { EraCache } from '../mcp/era-cache.js';
import { isEraMismatch, type Failure } from '../mcp/failure.js';
import { forgetEra, knownEra, rememberLegacyRefused, settleServerEra, type EraMemory, type SettledEra } from '../mcp/server-era.js';
import { MODERN_REVISION, protocolSetting } from '../mcp/era.js';
import { openServerLink } from '../mcp/server-link.js';
import { HttpStatusError, type ReconnectionOptions } from '../mcp/streamable-http.js';
import type { WrapFetch } from '../mcp/transport.js';
import { claimedRevision, ErrorCode, errorResponse, isModernRevision, isObject, isRequest, isResponse, paramsOf, type Id, type Message } from '../mcp/wire.js';
import { BRIDGE_ERROR_CODE, failureMessage, type Channel, type Conversation } from './bridge/channel.js';
import { legacyClient } from './bridge/legacy-client.js';
import { modernClient } from './bridge/modern-client.js';
import { relay } from './bridge/relay.js';
import { toolBook } from './bridge/tool-book.js';
import { exitStatus, FORWARDED_SIGNALS, type ForwardedSignal, type Signals } from './child.js';
import { readLines } from './lines.js';
import type { Masker } from '../masking/masker.js';

export { BRIDGE_ERROR_CODE } from './bridge/channel.js';

export interface BridgeOptions {
  server: ResolvedServer;
  /** Masks the server's secrets in every message that goes to the client (its set, whatever `--no-masking` says, in what the bridge logs). */
  masker: Masker;
  /** The MCP client's side: newline-delimited JSON-RPC. */
  stdin: Readable;
  stdout: Writable;
  /** Where the bridge says what went wrong (MCP clients show a server's stderr in their logs). */
  stderr: Writable;
  signals: Signals;
  /** The remembered protocol eras (the state directory's eras.json). */
  eras?: EraCache;
  now?: () => Date;
  /** Adds the OAuth login to the transport's fetch (src/oauth/fetch.ts), for servers that may do OAuth. */
  wrapFetch?: WrapFetch;
  /** How a dropped event stream is resumed; the default retries for minutes, as a session may last hours. */
  reconnection?: ReconnectionOptions;
}

/** Resumes a dropped GET event stream (with Last-Event-ID) for about eight minutes before giving up. */
export const DEFAULT_RECONNECTION = { initialReconnectionDelay: 1000, maxReconnectionDelay: 30_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 24 };

/** Requests that stay open for as long as the client wants what they bring: the bridge does not wait for their answer to end. */
const OPEN_ENDED = new Set(['subscriptions/listen']);

/** Whether a failure says the server does not speak the era a remembered verdict chose. */
const isEraRefusal = (error: unknown) => (error instanceof HttpStatusError && error.status === 400) || isEraMismatch(error);

/**
 * A stdio-to-HTTP bridge between an MCP client and a server of either protocol era. The client's
 * era is that of its first message (2025: `initialize`; 2026: a request with the `_meta` envelope);
 * the server's is settled as every command settles it (the entry's `protocol`, a remembered verdict,
 * else a `server/discover` probe). The same era on both sides is a relay (relay.ts); otherwise the
 * bridge translates (legacy-client.ts, modern-client.ts). Everything toward the client is masked. A
 * request that cannot be delivered is answered with a JSON-RPC error saying why, so the client never
 * waits for an answer that cannot come. Resolves with the exit status: 0; 4 when the last attempt met
 * a missing login, a refused credential or a locked token store; 128+N after signal N.
 */
export async function runHttpBridge(options: BridgeOptions): Promise<number> {
  const { server, masker, stdout, stderr } = options;
  const label = `mcp-cli run ${server.name}`;
  const reconnection = options.reconnection ?? DEFAULT_RECONNECTION;
  const memory: EraMemory = { server, masker, now: options.now ?? (() => new Date()), ...(options.eras ? { eras: options.eras } : {}) };
  const tools = toolBook((params) => askServer('tools/list', params));
  const {
    link,
    describe,
    close: closeLink,
  } = await openServerLink(server, {
    masker,
    stderr,
    reconnection,
    toolHeaders: (name) => tools.declarations(name),
    ...(options.wrapFetch ? { wrapFetch: options.wrapFetch } : {}),
  });

  let lastLogged: string | undefined;
  const log = (failure: Failure) => {
    const line = `${label}: ${failureMessage(failure)}`;
    if (line === lastLogged) return;
    lastLogged = line;
    // The server's words may hold escape sequences and many lines: one printable line of the log.
    stderr.write(`${printable(line.replace(/[\r\n]+/g, ' ')).slice(0, 2000)}\n`);
  };

  let authFailed = false;
  let stdoutOpen = true;
  stdout.on('error', () => {
    stdoutOpen = false;
    finish(0);
  });
  // The client's requests that still wait for an answer.
  const awaiting = new Set<Id>();
  const write = (message: Message) => {
    if (isResponse(message) && awaiting.delete(message.id) && 'result' in message) authFailed = false;
    if (stdoutOpen) stdout.write(`${masker.serialize(message)}\n`);
  };
  const fail = (id: Id, failure: Failure) => {
    if (failure.auth) authFailed = true;
    if (awaiting.has(id)) write(errorResponse(id, BRIDGE_ERROR_CODE, failureMessage(failure)));
  };

  // Requests of the bridge's own, to the server and to the client: ids no client or server would choose.
  let ownIds = 0;
  const toServerAsks = new Map<Id, { resolve: (m: Message) => void; reject: (e: unknown) => void }>();
  const toClientAsks = new Map<Id, { resolve: (m: Message) => void; reject: (e: unknown) => void }>();
  const askServer = (method: string, params: Record<string, unknown>, askOptions: { signal?: AbortSignal } = {}) =>
    new Promise<Message>((resolve, reject) => {
      const id = `mcp-cli-${++ownIds}`;
      toServerAsks.set(id, { resolve, reject });
      link.send({ jsonrpc: '2.0', id, method, params }, askOptions).catch((error: unknown) => {
        toServerAsks.delete(id);
        reject(error);
      });
    });
  const askClient = (method: string, params: Record<string, unknown>) => {
    const id = `mcp-cli-${++ownIds}`;
    const answer = new Promise<Message>((resolve, reject) => {
      if (inputEnded) return reject(new Error(`the client closed its input before answering ${method}`));
      toClientAsks.set(id, { resolve, reject });
    });
    if (!inputEnded) write({ jsonrpc: '2.0', id, method, params });
    return { id, answer };
  };

  let sending = 0;
  let inputEnded = false;
  // Errors the link reports through onerror that a failed send reports too: said once.
  const claimed = new WeakSet<object>();

  let finished = false;
  let resolveDone!: (status: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const signalHandlers = FORWARDED_SIGNALS.map((signal) => ({ signal, handler: () => finish(exitStatus(null, signal as ForwardedSignal)) }));

  let conversation: Conversation | undefined;
  const finish = (status: number) => {
    if (finished) return;
    finished = true;
    for (const { signal, handler } of signalHandlers) options.signals.off(signal, handler);
    stopReading();
    conversation?.close();
    void (async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([link.terminateSession().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
      clearTimeout(timer);
      await link.close().catch(() => undefined);
      await closeLink().catch(() => undefined);
      resolveDone(status);
    })();
  };
  const settle = () => {
    if (inputEnded && awaiting.size === 0 && sending === 0) finish(authFailed ? ExitCode.authRequired : ExitCode.ok);
  };

  const channel: Channel = {
    link,
    memory,
    toClient: write,
    toServer: (message, sendOptions) => link.send(message, sendOptions),
    askServer,
    askClient,
    forgetClientAsk: (id) => void toClientAsks.delete(id),
    fail,
    describe,
    log,
  };

  // The first message says the client's era; until the server's is settled, later messages wait.
  let settled: SettledEra | undefined;
  let proven = true;
  let starting: Promise<Conversation> | undefined;
  /**
   * A 2025 client's `initialize` goes to the server as it is (a server of both eras keeps the
   * client's era), unless the server is known to refuse it or just did (`legacyRefused`): then the
   * bridge speaks 2026 to it. A 2026 client meets the server's era as every command settles it.
   */
  const start = async (first: Message, legacyRefused = false): Promise<Conversation> => {
    const modernClientSide = isRequest(first) && isModernRevision(claimedRevision(first) ?? '');
    if (server.entry.transport === 'sse') {
      settled = { era: 'legacy', remembered: false };
      return modernClientSide ? modernClient(channel, { remember: false }) : relay(channel, 'legacy', { tools, remember: false });
    }
    if (!modernClientSide) {
      const known = knownEra(memory);
      if (!legacyRefused && known?.refusesLegacy !== true && protocolSetting(server.entry) !== MODERN_REVISION) {
        // Proven only by the server's answer: a refusal turns to translation.
        settled = { era: 'legacy', remembered: true };
        proven = false;
        return relay(channel, 'legacy', { tools, remember: known === undefined });
      }
      const era = await settleServerEra(askServer, legacyRefused && known?.era !== 'modern' ? { ...memory, eras: undefined } : memory);
      settled = era;
      proven = !era.remembered;
      if (era.era === 'legacy') return relay(channel, 'legacy', { tools, remember: false });
      if (legacyRefused) await rememberLegacyRefused(memory, era.discover);
      return legacyClient(channel, era.discover, { tools, reconnection });
    }
    const opensWithDiscover = first.method === 'server/discover';
    const era = await settleServerEra(askServer, memory, opensWithDiscover ? (paramsOf(first)._meta as Record<string, unknown>) : undefined);
    settled = era;
    proven = !era.remembered;
    if (era.era === 'legacy') return modernClient(channel, { remember: !era.remembered });
    return relay(channel, 'modern', { tools, remember: false, ...('probe' in era && era.probe && opensWithDiscover ? { primed: era.probe } : {}) });
  };
  const conversationFor = (first: Message) =>
    (starting ??= start(first).then(
      (c) => (conversation = c),
      (error: unknown) => {
        starting = undefined;
        throw error;
      },
    ));

  link.onmessage = (message, related) => {
    if (isResponse(message)) {
      if (!proven && 'result' in message) proven = true;
      if (!proven && isObject(message.error) && message.error.code === ErrorCode.unsupportedProtocolVersion) void forgetEra(memory);
      const own = toServerAsks.get(message.id);
      if (own) {
        toServerAsks.delete(message.id);
        return own.resolve(message);
      }
    }
    conversation?.fromServer(message, related);
    settle();
  };
  link.onstreamend = (id) => {
    const own = toServerAsks.get(id);
    toServerAsks.delete(id);
    own?.reject(new Error(`server '${server.name}' closed the answer stream of a request without answering it`));
    conversation?.streamEnded(id);
    settle();
  };
  link.onerror = (error: Error) => {
    setImmediate(() => {
      if (!claimed.has(error) && !finished) log(describe(error));
    });
  };
  link.onclose = () => {
    if (!finished) {
      log({ message: `the connection to server '${server.name}' closed`, auth: false });
      finish(ExitCode.failure);
    }
  };
  const started = link.start();
  started.catch(() => undefined);

  /** One message from the client, through the conversation; a failure answers each of its requests. */
  const deliver = async (message: Message | Message[]) => {
    const messages = (Array.isArray(message) ? message : [message]).filter(isObject);
    const requests = messages.filter(isRequest);
    for (const m of messages) {
      // A request the client gave up on gets no answer (MCP: the receiver should not send one): not waited for.
      if (m.method === 'notifications/cancelled') {
        const id = paramsOf(m).requestId;
        if (typeof id === 'string' || typeof id === 'number') awaiting.delete(id);
      }
      if (isResponse(m) && toClientAsks.has(m.id)) {
        toClientAsks.get(m.id)!.resolve(m);
        toClientAsks.delete(m.id);
      }
    }
    for (const r of requests) if (!OPEN_ENDED.has(r.method)) awaiting.add(r.id);
    const forConversation = messages.filter((m) => !(isResponse(m) && String(m.id).startsWith('mcp-cli-')));
    if (forConversation.length === 0) return;
    sending++;
    try {
      await started;
      let current = await conversationFor(forConversation[0]!);
      // Batches (2025-03-26) go through as one only where the client and the server share the 2025 era.
      const units =
        Array.isArray(message) && settled?.era === 'legacy' && !isModernRevision(claimedRevision(forConversation[0]!) ?? '')
          ? [forConversation]
          : forConversation;
      for (const unit of units) {
        try {
          await current.fromClient(Array.isArray(unit) && unit.length === 1 ? unit[0]! : (unit as Message));
        } catch (error) {
          // A server that refuses a 2025 opening: the bridge speaks 2026 to it, if it does speak 2026.
          if (!proven && isEraRefusal(error) && !Array.isArray(unit) && unit.method === 'initialize' && settled?.era === 'legacy') {
            conversation?.close();
            starting = undefined;
            current = await (starting = start(unit, true).then((c) => (conversation = c)));
            if (settled.era === 'legacy') throw error;
            await current.fromClient(unit);
          } else throw error;
        }
      }
    } catch (error) {
      if (!proven && isEraRefusal(error)) await forgetEra(memory);
      if (typeof error === 'object' && error !== null) claimed.add(error);
      const failure = describe(error);
      if (failure.auth) authFailed = true;
      log(failure);
      for (const r of requests) fail(r.id, failure);
    } finally {
      sending--;
      settle();
    }
  };

  const stopReading = readLines(
    options.stdin,
    (line) => {
      if (finished) return;
      let message: unknown;
      try {
        message = JSON.parse(line.toString('utf8'));
      } catch {
        write(errorResponse(null, -32700, 'Parse error: a line from the client is not JSON'));
        return;
      }
      if (!isObject(message) && !(Array.isArray(message) && message.length > 0)) {
        write(errorResponse(null, ErrorCode.invalidRequest, 'Invalid Request: expected a JSON-RPC message'));
        return;
      }
      void deliver(message as Message | Message[]);
    },
    () => {
      inputEnded = true;
      for (const [id, ask] of toClientAsks) {
        toClientAsks.delete(id);
        ask.reject(new Error('the client closed its input before answering'));
      }
      settle();
    },
  );

  for (const { signal, handler } of signalHandlers) options.signals.on(signal, handler);
  return done;
}
