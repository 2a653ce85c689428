import type { Failure } from '../../mcp/failure.js';
import type { EraMemory } from '../../mcp/server-era.js';
import type { ServerLink } from '../../mcp/streamable-http.js';
import type { Id, Message, Params } from '../../mcp/wire.js';

/** What a conversation between one client and one server can do: the bridge's two sides, and its own requests. */
export interface Channel {
  readonly link: ServerLink;
  readonly memory: EraMemory;
  /** Writes a message to the client, masked. */
  toClient(message: Message): void;
  /** Sends a message to the server; rejects when it could not be delivered. */
  toServer(message: Message | Message[], options?: { signal?: AbortSignal }): Promise<void>;
  /** A request of the bridge's own to the server: resolves with the response (result or error). */
  askServer(method: string, params: Params, options?: { signal?: AbortSignal }): Promise<Message>;
  /** A request of the bridge's own to the client: its id, and the response (result or error); rejects when the client has gone. */
  askClient(method: string, params: Params): { id: Id; answer: Promise<Message> };
  /** Stops waiting for the client's answer to `askClient` request `id` (it is cancelled). */
  forgetClientAsk(id: Id): void;
  /** Answers the client's request `id` with an error, unless it has its answer already. */
  fail(id: Id, failure: Failure): void;
  describe(error: unknown): Failure;
  /** One line on stderr, where clients keep a server's log. */
  log(failure: Failure): void;
}

/**
 * One conversation through the bridge: the client's era on one side, the server's on the other.
 * `fromClient` rejects when the message could not be delivered; the bridge then answers each of its
 * requests with the reason.
 */
export interface Conversation {
  fromClient(message: Message): Promise<void>;
  /** A message from the server; `related` is the request of the bridge's or the client's whose answer stream carried it. */
  fromServer(message: Message, related: Id | undefined): void;
  /** The answer stream of request `id` ended without its answer. */
  streamEnded(id: Id): void;
  /** The bridge is ending. */
  close(): void;
}

/** The JSON-RPC error code of answers the bridge gives itself (the server could not be reached, a login is needed). */
export const BRIDGE_ERROR_CODE = -32603;

export const failureMessage = (failure: Failure) => (failure.hint ? `${failure.message} (${failure.hint})` : failure.message);

export const streamEndFailure = (server: string): Failure => ({
  message: `server '${server}' closed the answer stream of a request without answering it`,
  auth: false,
});
