import { randomUUID } from 'node:crypto';
import { LEGACY_REVISION, MODERN_REVISION } from '../../mcp/era.js';
import type { ReconnectionOptions } from '../../mcp/streamable-http.js';
import {
  CACHEABLE_METHODS,
  CLIENT_CAPABILITIES_KEY,
  CLIENT_INFO_KEY,
  ErrorCode,
  errorResponse,
  isObject,
  isRequest,
  isResponse,
  LEGACY_REVISIONS,
  LOG_LEVEL_KEY,
  metaOf,
  paramsOf,
  PROTOCOL_VERSION_KEY,
  resultResponse,
  SERVER_INFO_KEY,
  SUBSCRIPTION_ID_KEY,
  withMeta,
  type Id,
  type Message,
  type Params,
} from '../../mcp/wire.js';
import { BRIDGE_ERROR_CODE, streamEndFailure, type Channel, type Conversation } from './channel.js';
import type { ToolBook } from './tool-book.js';

/** Rounds of input one request may need before the bridge gives up (the SDK's clients stop at 10 too). */
export const MAX_INPUT_ROUNDS = 10;
/** A round that only hands back request state (a server shedding load) is retried after this pause. */
const STATE_ONLY_PAUSE_MS = 250;

interface Call {
  method: string;
  params: Params;
  controller: AbortController;
  /** The bridge's own requests to the client for this call's current round of input. */
  asks: Set<Id>;
  rounds: number;
}

/**
 * A 2025 client and a 2026 server. The bridge answers the client's `initialize` from the server's
 * `server/discover` advertisement, and puts the 2026 envelope on every request (the client's info and
 * capabilities from `initialize`, its `logging/setLevel` level). An `input_required` answer becomes
 * the 2025 requests it holds (`elicitation/create`, `sampling/createMessage`, `roots/list`), sent to
 * the client; its answers go back with the request, retried, as often as the server asks. Change
 * notifications, which a 2025 server sends unasked, come from a `subscriptions/listen` stream the
 * bridge keeps open for what the server advertises and the resources the client subscribed to.
 * A cancelled request has its answer stream closed; `ping` is answered by the bridge.
 */
export function legacyClient(channel: Channel, discover: Message, options: { tools: ToolBook; reconnection: ReconnectionOptions }): Conversation {
  const capabilities = isObject(discover.capabilities) ? discover.capabilities : {};
  const calls = new Map<Id, Call>();
  const subscriptions = new Set<string>();
  let client: { info?: unknown; capabilities: unknown } = { capabilities: {} };
  let logLevel: string | undefined;
  let initialized = false;
  let closed = false;
  let listen: { id: Id; controller: AbortController } | undefined;
  let listens = 0;
  let relistens = 0;
  let relistenTimer: NodeJS.Timeout | undefined;

  const envelope = (): Params => ({
    [PROTOCOL_VERSION_KEY]: MODERN_REVISION,
    ...(client.info !== undefined ? { [CLIENT_INFO_KEY]: client.info } : {}),
    [CLIENT_CAPABILITIES_KEY]: client.capabilities,
    ...(logLevel !== undefined ? { [LOG_LEVEL_KEY]: logLevel } : {}),
  });
  const enveloped = (params: Params): Params => withMeta(params, { ...metaOf(params), ...envelope() });

  const initializeResult = (params: Params) => {
    const requested = params.protocolVersion;
    const info = isObject(discover._meta) ? discover._meta[SERVER_INFO_KEY] : undefined;
    return {
      protocolVersion: typeof requested === 'string' && (LEGACY_REVISIONS as readonly string[]).includes(requested) ? requested : LEGACY_REVISION,
      capabilities,
      serverInfo: isObject(info) ? info : { name: channel.memory.server.name, version: 'unknown' },
      ...(typeof discover.instructions === 'string' ? { instructions: discover.instructions } : {}),
    };
  };

  /** The filter of the listen stream: what the server advertises, and the resources the client subscribed to. */
  const listenFilter = (): Params | undefined => {
    const listChanged = (name: string) => isObject(capabilities[name]) && capabilities[name].listChanged === true;
    const resources = isObject(capabilities.resources) && capabilities.resources.subscribe === true ? [...subscriptions] : [];
    const filter: Params = {
      ...(listChanged('tools') ? { toolsListChanged: true } : {}),
      ...(listChanged('prompts') ? { promptsListChanged: true } : {}),
      ...(listChanged('resources') ? { resourcesListChanged: true } : {}),
      ...(resources.length > 0 ? { resourceSubscriptions: resources } : {}),
    };
    return Object.keys(filter).length > 0 ? filter : undefined;
  };
  const openListen = () => {
    listen?.controller.abort();
    listen = undefined;
    clearTimeout(relistenTimer);
    const filter = listenFilter();
    if (!initialized || closed || !filter) return;
    const current = { id: `mcp-cli-listen-${++listens}`, controller: new AbortController() };
    listen = current;
    channel
      .toServer(
        { jsonrpc: '2.0', id: current.id, method: 'subscriptions/listen', params: { notifications: filter, _meta: envelope() } },
        { signal: current.controller.signal },
      )
      .catch((error: unknown) => {
        if (listen !== current || current.controller.signal.aborted) return;
        channel.log(channel.describe(error));
        relisten(current.id);
      });
  };
  /** A listen stream that dropped is opened again, after the delays a dropped 2025 event stream would wait. */
  const relisten = (id: Id) => {
    if (listen?.id !== id || closed) return;
    listen = undefined;
    const { initialReconnectionDelay, reconnectionDelayGrowFactor, maxReconnectionDelay, maxRetries } = options.reconnection;
    if (relistens >= maxRetries)
      return channel.log({ message: `server '${channel.memory.server.name}': its change notifications stopped, and listening again failed`, auth: false });
    relistenTimer = setTimeout(openListen, Math.min(initialReconnectionDelay * reconnectionDelayGrowFactor ** relistens++, maxReconnectionDelay));
  };

  const send = async (call: Call, id: Id, params: Params) => {
    const message = { jsonrpc: '2.0', id, method: call.method, params: enveloped(params) };
    if (call.method === 'tools/call' && typeof params.name === 'string') await options.tools.learn(params.name, envelope());
    options.tools.sent(message);
    await channel.toServer(message, { signal: call.controller.signal });
  };

  const finish = (id: Id, response: Message) => {
    const call = calls.get(id);
    if (!call) return;
    calls.delete(id);
    channel.toClient(legacyResponse(response, call.method));
  };

  /** One round of `input_required`: the requests go to the client, its answers back to the server with the request. */
  const fulfil = async (id: Id, call: Call, result: Params) => {
    const current = () => calls.get(id) === call && !call.controller.signal.aborted;
    if (++call.rounds > MAX_INPUT_ROUNDS)
      return finish(
        id,
        errorResponse(id, BRIDGE_ERROR_CODE, `Multi-round-trip request '${call.method}' still required input after ${MAX_INPUT_ROUNDS} rounds`),
      );
    const requests = isObject(result.inputRequests) ? Object.entries(result.inputRequests) : [];
    const responses: Params = {};
    if (requests.length === 0) await new Promise((resolve) => setTimeout(resolve, STATE_ONLY_PAUSE_MS));
    const asked = requests.map(([key, request]) => {
      if (!isObject(request) || typeof request.method !== 'string')
        return { key, answer: Promise.resolve(errorResponse(null, ErrorCode.invalidRequest, 'malformed input request')) };
      const params = isObject(request.params) ? request.params : {};
      const ask = channel.askClient(request.method, legacyInputParams(request.method, params));
      call.asks.add(ask.id);
      return { key, answer: ask.answer };
    });
    let answers: Message[];
    try {
      answers = await Promise.all(asked.map((a) => a.answer));
    } catch (error) {
      if (current()) finish(id, errorResponse(id, BRIDGE_ERROR_CODE, (error as Error).message));
      return;
    }
    call.asks.clear();
    if (!current()) return;
    for (const [i, answer] of answers.entries()) {
      if (isObject(answer.error)) return finish(id, { jsonrpc: '2.0', id, error: answer.error });
      responses[asked[i]!.key] = answer.result;
    }
    const retry = {
      ...call.params,
      ...(requests.length > 0 ? { inputResponses: responses } : {}),
      ...(typeof result.requestState === 'string' ? { requestState: result.requestState } : {}),
    };
    try {
      await send(call, id, retry);
    } catch (error) {
      if (current()) {
        calls.delete(id);
        channel.fail(id, channel.describe(error));
      }
    }
  };

  const cancel = (id: Id, reason: unknown) => {
    const call = calls.get(id);
    if (!call) return;
    calls.delete(id);
    call.controller.abort();
    for (const ask of call.asks) {
      channel.forgetClientAsk(ask);
      channel.toClient({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: ask, ...(typeof reason === 'string' ? { reason } : {}) } });
    }
  };

  return {
    async fromClient(message) {
      const params = paramsOf(message);
      if (!isRequest(message)) {
        if (message.method === 'notifications/initialized') {
          initialized = true;
          openListen();
        } else if (message.method === 'notifications/cancelled' && (typeof params.requestId === 'string' || typeof params.requestId === 'number')) {
          cancel(params.requestId, params.reason);
        }
        // The 2026 era has no other notifications from client to server over HTTP.
        return;
      }
      switch (message.method) {
        case 'initialize':
          client = { info: params.clientInfo, capabilities: isObject(params.capabilities) ? params.capabilities : {} };
          return channel.toClient(resultResponse(message.id, initializeResult(params)));
        case 'ping':
          return channel.toClient(resultResponse(message.id, {}));
        case 'logging/setLevel':
          if (typeof params.level === 'string') logLevel = params.level;
          return channel.toClient(resultResponse(message.id, {}));
        case 'resources/subscribe':
        case 'resources/unsubscribe':
          if (typeof params.uri === 'string') {
            if (message.method === 'resources/subscribe') subscriptions.add(params.uri);
            else subscriptions.delete(params.uri);
            openListen();
          }
          return channel.toClient(resultResponse(message.id, {}));
      }
      const call: Call = { method: message.method, params, controller: new AbortController(), asks: new Set(), rounds: 0 };
      calls.set(message.id, call);
      try {
        await send(call, message.id, params);
      } catch (error) {
        calls.delete(message.id);
        throw error;
      }
    },
    fromServer(message, related) {
      if (isResponse(message)) {
        options.tools.seen(message.id, message);
        if (message.id === listen?.id) {
          // The server ended the subscription on purpose (it is shutting down): nothing to listen to.
          listen = undefined;
          return;
        }
        const call = calls.get(message.id);
        if (!call) return;
        if (isObject(message.result) && message.result.resultType === 'input_required') return void fulfil(message.id, call, message.result);
        return finish(message.id, message);
      }
      if (isRequest(message)) {
        void channel.toServer(errorResponse(message.id, ErrorCode.methodNotFound, `Method not found: ${message.method}`)).catch(() => undefined);
        return;
      }
      const meta = metaOf(paramsOf(message));
      if (related !== undefined && related === listen?.id) {
        if (message.method === 'notifications/subscriptions/acknowledged') relistens = 0;
        else channel.toClient(withoutSubscriptionId(message, meta));
        return;
      }
      if (meta[SUBSCRIPTION_ID_KEY] !== undefined) return channel.toClient(withoutSubscriptionId(message, meta));
      channel.toClient(message);
    },
    streamEnded(id) {
      if (id === listen?.id) return relisten(id);
      if (calls.delete(id)) channel.fail(id, streamEndFailure(channel.memory.server.name));
    },
    close() {
      closed = true;
      clearTimeout(relistenTimer);
      listen?.controller.abort();
      for (const call of calls.values()) call.controller.abort();
    },
  };
}

/** A 2026 answer as a 2025 client reads it: no `resultType`, no cache hints. */
function legacyResponse(response: Message, method: string): Message {
  if (!isObject(response.result)) return response;
  const { resultType: _type, ...result } = response.result;
  if (CACHEABLE_METHODS.has(method)) {
    delete result.ttlMs;
    delete result.cacheScope;
  }
  return { ...response, result };
}

/** An embedded 2026 input request as a 2025 request: a URL elicitation needs an `elicitationId` there. */
function legacyInputParams(method: string, params: Params): Params {
  if (method === 'elicitation/create' && params.mode === 'url' && typeof params.elicitationId !== 'string') return { ...params, elicitationId: randomUUID() };
  return params;
}

function withoutSubscriptionId(message: Message, meta: Params): Message {
  const { [SUBSCRIPTION_ID_KEY]: _id, ...rest } = meta;
  return { ...message, params: withMeta(paramsOf(message), Object.keys(rest).length > 0 ? rest : undefined) };
}
