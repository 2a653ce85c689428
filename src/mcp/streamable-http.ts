import { eventStreamParser } from './sse.js';
import { standardHeaders, type HeaderDeclaration } from './standard-headers.js';
import { claimedRevision, isObject, isRequest, isResponse, type Id, type Message } from './wire.js';

type Fetch = typeof fetch;

/** How a dropped event stream is reopened: the delay grows from `initialReconnectionDelay` up to `maxReconnectionDelay`, `maxRetries` times. */
export interface ReconnectionOptions {
  initialReconnectionDelay: number;
  maxReconnectionDelay: number;
  reconnectionDelayGrowFactor: number;
  maxRetries: number;
}

/** The server side of `mcp-cli run`: JSON-RPC messages to and from one server, whatever carries them. */
export interface ServerLink {
  /** A message from the server; `related` is the request whose answer stream carried it (none on the GET stream). */
  onmessage?: (message: Message, related: Id | undefined) => void;
  /** A failure that belongs to no send (a stream that dropped and could not be reopened). */
  onerror?: (error: Error) => void;
  /** The answer stream of request `id` ended without its answer, and cannot be resumed. */
  onstreamend?: (id: Id) => void;
  onclose?: () => void;
  readonly sessionId: string | undefined;
  /** Whether the server sees the client's requests and their answers in separate HTTP exchanges it can tell apart (false for the SSE transport). */
  readonly tellsStreamsApart: boolean;
  start(): Promise<void>;
  /** Resolves once the server has accepted the message; with `signal`, aborting it closes the request's answer stream (the 2026 era's cancellation). */
  send(message: Message | Message[], options?: { signal?: AbortSignal }): Promise<void>;
  /** The 2025 era's `MCP-Protocol-Version`, once `initialize` settled it. */
  setProtocolVersion(version: string): void;
  terminateSession(): Promise<void>;
  close(): Promise<void>;
}

/** An HTTP answer that is not a success: what the SDK's errors carry too (`status`), for failure.ts. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly text: string | null,
    what = 'Error POSTing to endpoint',
  ) {
    super(`${what}: ${text ?? statusText}`);
    this.name = 'HttpStatusError';
  }
}

export interface StreamableHttpOptions {
  url: URL;
  /** The entry's resolved headers. */
  headers: Record<string, string>;
  fetch: Fetch;
  reconnection: ReconnectionOptions;
  /** The `x-mcp-header` arguments of a tool, as learnt from `tools/list` (2026 era). */
  toolHeaders?: (name: string) => readonly HeaderDeclaration[] | undefined;
}

const mediaType = (value: string | null) => value?.split(';')[0]?.trim().toLowerCase();
const isAbort = (signal: AbortSignal | undefined) => signal?.aborted === true;

interface StreamTarget {
  /** The request whose answer the stream carries (none for the GET stream). */
  related?: Id;
  signal?: AbortSignal;
}

/**
 * The streamable HTTP transport of MCP, client side, at the level of messages, for either era: each
 * message is one POST; an answer comes as JSON or as an event stream, and everything on that stream
 * is reported as related to the request. In the 2025 era it keeps the session (`Mcp-Session-Id`,
 * `MCP-Protocol-Version`, the GET event stream opened after `notifications/initialized`, resumed with
 * `Last-Event-ID`, `DELETE` at the end); in the 2026 era each request carries the headers its body
 * implies (standard-headers.ts), and aborting its signal closes its stream, which is how a 2026
 * request is cancelled.
 */
export class StreamableHttpLink implements ServerLink {
  onmessage?: (message: Message, related: Id | undefined) => void;
  onerror?: (error: Error) => void;
  onstreamend?: (id: Id) => void;
  onclose?: () => void;
  readonly tellsStreamsApart = true;
  private session: string | undefined;
  private protocolVersion: string | undefined;
  private retryMs: number | undefined;
  private readonly closing = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: StreamableHttpOptions) {}

  get sessionId(): string | undefined {
    return this.session;
  }

  async start(): Promise<void> {}

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  private headers(message?: Message): Headers {
    const headers = new Headers(this.options.headers);
    if (this.session !== undefined) headers.set('mcp-session-id', this.session);
    if (this.protocolVersion !== undefined) headers.set('mcp-protocol-version', this.protocolVersion);
    if (message) for (const [name, value] of Object.entries(standardHeaders(message, this.options.toolHeaders))) headers.set(name, value);
    return headers;
  }

  private signalFor(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([this.closing.signal, signal]) : this.closing.signal;
  }

  async send(message: Message | Message[], options: { signal?: AbortSignal } = {}): Promise<void> {
    const single = Array.isArray(message) ? undefined : message;
    const handshake = (Array.isArray(message) ? message : [message]).some((m) => m.method === 'initialize');
    const headers = this.headers(single);
    if (handshake) headers.delete('mcp-session-id');
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json, text/event-stream');
    const signal = this.signalFor(options.signal);
    const response = await this.options.fetch(this.options.url, { method: 'POST', headers, body: JSON.stringify(message), signal });
    if (handshake && response.ok) this.session = response.headers.get('mcp-session-id') ?? undefined;
    const requests = (Array.isArray(message) ? message : [message]).filter(isRequest);
    if (!response.ok) {
      const text = await response.text().catch(() => null);
      // A 2026 request refused before it ran (a header the server disagrees with, a capability it needs) is answered in-band.
      const inBand = response.status === 400 && single && isRequest(single) && claimedRevision(single) !== undefined ? errorBody(text, single.id) : undefined;
      if (inBand) return this.onmessage?.(inBand, single!.id as Id);
      throw new HttpStatusError(response.status, response.statusText, text);
    }
    if (response.status === 202 || requests.length === 0) {
      await response.body?.cancel().catch(() => undefined);
      if (single?.method === 'notifications/initialized') this.openGetStream(undefined, 0);
      return;
    }
    const related = requests.length === 1 ? requests[0]!.id : undefined;
    const type = mediaType(response.headers.get('content-type'));
    if (type === 'text/event-stream') {
      void this.readStream(response, { ...(related !== undefined ? { related } : {}), signal }, false);
      return;
    }
    if (type === 'application/json') {
      const body: unknown = await response.json();
      for (const m of Array.isArray(body) ? body : [body]) if (isObject(m)) this.onmessage?.(m, related);
      return;
    }
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`Unexpected content type: ${response.headers.get('content-type') ?? 'none'}`);
  }

  /**
   * Reads an event stream to its end. A stream that ends before its request was answered is reopened
   * with a GET and `Last-Event-ID` when the server gave its events ids (it can replay them); the GET
   * stream is always reopened, for as long as the reconnection options allow.
   */
  private async readStream(response: Response, target: StreamTarget, isGetStream: boolean, attempt = 0): Promise<void> {
    let lastEventId: string | undefined;
    let answered = false;
    const parser = eventStreamParser((ms) => (this.retryMs = ms));
    const decoder = new TextDecoder();
    let failure: unknown;
    try {
      const reader = response.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.feed(decoder.decode(value, { stream: true }))) {
          if (event.id !== undefined && event.id !== '') lastEventId = event.id;
          if (event.data === '' || (event.event !== undefined && event.event !== 'message')) continue;
          let message: unknown;
          try {
            message = JSON.parse(event.data);
          } catch {
            this.onerror?.(new Error('the server sent an event that is not JSON'));
            continue;
          }
          if (!isObject(message)) continue;
          if (isResponse(message) && message.id === target.related) answered = true;
          this.onmessage?.(message, target.related);
        }
      }
    } catch (error) {
      failure = error;
    }
    if (isAbort(target.signal) || this.closing.signal.aborted) return;
    if (failure !== undefined) this.onerror?.(new Error(`SSE stream disconnected: ${String(failure)}`));
    const resumable = isGetStream || lastEventId !== undefined;
    if (!answered && resumable) return this.scheduleReopen(lastEventId, target, isGetStream ? attempt : 0);
    if (!answered && target.related !== undefined) this.onstreamend?.(target.related);
  }

  private scheduleReopen(lastEventId: string | undefined, target: StreamTarget, attempt: number): void {
    const { initialReconnectionDelay, reconnectionDelayGrowFactor, maxReconnectionDelay, maxRetries } = this.options.reconnection;
    if (attempt >= maxRetries) {
      this.onerror?.(new Error(`Maximum reconnection attempts (${maxRetries}) exceeded.`));
      if (target.related !== undefined) this.onstreamend?.(target.related);
      return;
    }
    const delay = this.retryMs ?? Math.min(initialReconnectionDelay * reconnectionDelayGrowFactor ** attempt, maxReconnectionDelay);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!isAbort(target.signal) && !this.closing.signal.aborted) this.openGetStream(lastEventId, attempt + 1, target);
    }, delay);
    this.timers.add(timer);
  }

  /** Opens (or reopens, from `lastEventId`) an event stream with GET: the session's own stream, or a request's answer stream being resumed. */
  private openGetStream(lastEventId: string | undefined, attempt: number, target: StreamTarget = {}): void {
    void (async () => {
      const headers = this.headers();
      headers.set('accept', 'text/event-stream');
      if (lastEventId !== undefined) headers.set('last-event-id', lastEventId);
      let response: Response;
      try {
        response = await this.options.fetch(this.options.url, { method: 'GET', headers, signal: this.signalFor(target.signal) });
      } catch (error) {
        if (isAbort(target.signal) || this.closing.signal.aborted) return;
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
        return this.scheduleReopen(lastEventId, target, attempt);
      }
      if (!response.ok) {
        const text = await response.text().catch(() => null);
        // 405: the server offers no GET stream, which is allowed.
        if (response.status === 405) {
          if (target.related !== undefined) this.onstreamend?.(target.related);
          return;
        }
        this.onerror?.(new HttpStatusError(response.status, response.statusText, text, 'Failed to open SSE stream'));
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          if (target.related !== undefined) this.onstreamend?.(target.related);
          return;
        }
        return this.scheduleReopen(lastEventId, target, attempt);
      }
      await this.readStream(response, target, target.related === undefined, attempt);
    })();
  }

  async terminateSession(): Promise<void> {
    if (this.session === undefined) return;
    const response = await this.options.fetch(this.options.url, { method: 'DELETE', headers: this.headers(), signal: this.closing.signal });
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok && response.status !== 405) throw new HttpStatusError(response.status, response.statusText, null, 'Failed to terminate session');
    this.session = undefined;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.closing.abort();
    this.onclose?.();
  }
}

/** A JSON-RPC error answer to request `id` in a refused POST's body, if that is what the body is. */
function errorBody(text: string | null, id: Id): Message | undefined {
  if (text === null) return undefined;
  try {
    const body: unknown = JSON.parse(text);
    return isObject(body) && body.id === id && isObject(body.error) ? body : undefined;
  } catch {
    return undefined;
  }
}
