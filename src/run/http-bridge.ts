import type { Readable, Writable } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import type { ResolvedServer } from '../config/resolve.js';
import { printable } from '../io/terminal-text.js';
import { ExitCode } from '../errors.js';
import { openTransport } from '../mcp/connect.js';
import type { Failure } from '../mcp/failure.js';
import type { WrapFetch } from '../mcp/transport.js';
import { exitStatus, FORWARDED_SIGNALS, type ForwardedSignal, type Signals } from './child.js';
import { readLines } from './lines.js';
import type { Masker } from '../masking/masker.js';

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
  /** Adds the OAuth login to the transport's fetch (src/oauth/fetch.ts), for servers that may do OAuth. */
  wrapFetch?: WrapFetch;
  /** How a dropped event stream is resumed; the default retries for minutes, as a session may last hours. */
  reconnection?: { initialReconnectionDelay: number; maxReconnectionDelay: number; reconnectionDelayGrowFactor: number; maxRetries: number };
}

/** Resumes a dropped GET event stream (with Last-Event-ID) for about eight minutes before giving up. */
export const DEFAULT_RECONNECTION = { initialReconnectionDelay: 1000, maxReconnectionDelay: 30_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 24 };

/** The JSON-RPC error code of answers the bridge gives itself (the server could not be reached, a login is needed). */
export const BRIDGE_ERROR_CODE = -32603;

type Id = string | number;
type Message = Record<string, unknown>;

const isObject = (value: unknown): value is Message => typeof value === 'object' && value !== null && !Array.isArray(value);
const hasId = (m: Message): m is Message & { id: Id } => typeof m.id === 'string' || typeof m.id === 'number';
const isRequest = (m: Message) => typeof m.method === 'string' && hasId(m);
const isResponse = (m: Message) => m.method === undefined && hasId(m) && ('result' in m || 'error' in m);

/**
 * A stdio-to-HTTP bridge: JSON-RPC lines from the client go to the server through the SDK's client
 * transport (session id, protocol version, the GET event stream and its resumption are the SDK's);
 * everything the server sends (responses, notifications, requests of its own) goes back to the client,
 * masked. A request that cannot be delivered is answered with a JSON-RPC error saying why, so the client
 * never waits for an answer that cannot come. Resolves with the exit status: 0; 4 when the last attempt
 * met a missing login or a refused credential; 128+N after signal N.
 */
export async function runHttpBridge(options: BridgeOptions): Promise<number> {
  const { server, masker, stdout, stderr } = options;
  const label = `mcp-cli run ${server.name}`;

  const {
    transport,
    describe,
    close: closeTransport,
  } = await openTransport(server, {
    secrets: masker.secrets,
    stderr,
    reconnection: options.reconnection ?? DEFAULT_RECONNECTION,
    ...(options.wrapFetch ? { wrapFetch: options.wrapFetch } : {}),
  });

  let lastLogged: string | undefined;
  const log = (failure: Failure) => {
    const line = `${label}: ${failure.message}${failure.hint ? ` (${failure.hint})` : ''}`;
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
  const write = (message: unknown) => {
    if (stdoutOpen) stdout.write(`${masker.serialize(message)}\n`);
  };
  const answerWithError = (id: Id, failure: Failure) =>
    write({ jsonrpc: '2.0', id, error: { code: BRIDGE_ERROR_CODE, message: failure.hint ? `${failure.message} (${failure.hint})` : failure.message } });

  // Requests of the client that still wait for an answer, and the initialize requests among them.
  const awaiting = new Set<Id>();
  const initializing = new Set<Id>();
  let sending = 0;
  let inputEnded = false;
  // Errors the transport reports through onerror that a failed send reports too: said once.
  const claimed = new WeakSet<object>();

  let finished = false;
  let resolveDone!: (status: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const signalHandlers = FORWARDED_SIGNALS.map((signal) => ({ signal, handler: () => finish(exitStatus(null, signal as ForwardedSignal)) }));

  const finish = (status: number) => {
    if (finished) return;
    finished = true;
    for (const { signal, handler } of signalHandlers) options.signals.off(signal, handler);
    stopReading();
    void (async () => {
      const terminate = (transport as { terminateSession?: () => Promise<void> }).terminateSession?.bind(transport);
      if (terminate) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([terminate().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
        clearTimeout(timer);
      }
      await transport.close().catch(() => undefined);
      await closeTransport().catch(() => undefined);
      resolveDone(status);
    })();
  };
  const settle = () => {
    if (inputEnded && awaiting.size === 0 && sending === 0) finish(authFailed ? ExitCode.authRequired : ExitCode.ok);
  };

  transport.onmessage = (message: JSONRPCMessage) => {
    const m = message as unknown as Message;
    if (isObject(m) && isResponse(m)) {
      const id = m.id as Id;
      if (initializing.delete(id)) {
        const version = isObject(m.result) ? m.result.protocolVersion : undefined;
        if (typeof version === 'string') transport.setProtocolVersion?.(version);
      }
      if (awaiting.delete(id) && 'result' in m) authFailed = false;
    }
    write(message);
    settle();
  };
  transport.onerror = (error: Error) => {
    setImmediate(() => {
      if (!claimed.has(error) && !finished) log(describe(error));
    });
  };
  transport.onclose = () => {
    if (!finished) {
      log({ message: `the connection to server '${server.name}' closed`, auth: false });
      finish(ExitCode.failure);
    }
  };

  const started = transport.start();
  started.catch(() => undefined);

  const deliver = async (message: unknown) => {
    const messages = (Array.isArray(message) ? message : [message]).filter(isObject);
    const requests = messages.filter(isRequest).map((m) => m.id as Id);
    for (const m of messages) {
      if (m.method === 'initialize' && hasId(m)) initializing.add(m.id);
      // A request the client gave up on gets no answer (MCP: the receiver should not send one): not waited for.
      if (m.method === 'notifications/cancelled' && isObject(m.params)) {
        const id = m.params.requestId;
        if (typeof id === 'string' || typeof id === 'number') awaiting.delete(id);
      }
    }
    for (const id of requests) awaiting.add(id);
    sending++;
    try {
      await started;
      await transport.send(message as JSONRPCMessage);
    } catch (error) {
      if (typeof error === 'object' && error !== null) claimed.add(error);
      const failure = describe(error);
      if (failure.auth) authFailed = true;
      log(failure);
      for (const id of requests) {
        if (!awaiting.delete(id)) continue;
        initializing.delete(id);
        answerWithError(id, failure);
      }
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
        write({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: a line from the client is not JSON' } });
        return;
      }
      if (!isObject(message) && !(Array.isArray(message) && message.length > 0)) {
        write({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: expected a JSON-RPC message' } });
        return;
      }
      void deliver(message);
    },
    () => {
      inputEnded = true;
      settle();
    },
  );

  for (const { signal, handler } of signalHandlers) options.signals.on(signal, handler);
  return done;
}
