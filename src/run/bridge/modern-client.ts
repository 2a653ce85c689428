import { randomUUID } from 'node:crypto';
import { LEGACY_REVISION, MODERN_REVISION } from '../../mcp/era.js';
import { rememberLegacy } from '../../mcp/server-era.js';
import {
  CACHEABLE_METHODS,
  CLIENT_CAPABILITIES_KEY,
  CLIENT_INFO_KEY,
  ErrorCode,
  errorResponse,
  INPUT_METHODS,
  isId,
  isNotification,
  isObject,
  isRequest,
  isResponse,
  LOG_LEVEL_KEY,
  metaOf,
  MULTI_ROUND_METHODS,
  paramsOf,
  resultResponse,
  SERVER_INFO_KEY,
  SUBSCRIPTION_ID_KEY,
  withMeta,
  withoutEnvelope,
  type Id,
  type Message,
  type Params,
} from '../../mcp/wire.js';
import { streamEndFailure, type Channel, type Conversation } from './channel.js';

/** A request of the client's on its way through a 2025 session, possibly over several rounds of input. */
interface Call {
  method: string;
  upstreamId: Id;
  /** The client's request now waiting for the answer; undefined while the client has `input_required` and has not retried yet. */
  clientId: Id | undefined;
  /** The progress token of the client's current request, and the one the server was given. */
  clientToken: unknown;
  upstreamToken: unknown;
  /** Whether the client's current request asked for log messages (`io.modelcontextprotocol/logLevel`). */
  wantsLogs: boolean;
  /** The server's requests not yet handed to the client, and those handed over in the current round, by input key. */
  held: Map<string, Message>;
  asked: Map<string, Id>;
  flushing: boolean;
  /** The server's answer, when it came while the client had not retried yet. */
  final?: Message;
}

interface Listen {
  notifications: Params;
  uris: string[];
}

/**
 * A 2026 client and a 2025 server. The bridge opens the 2025 session itself (`initialize` with the
 * client's info and capabilities from the envelope of its first request) and answers
 * `server/discover` from it. Requests go on without the envelope; a `logLevel` in it becomes
 * `logging/setLevel`. When the server asks the client something within a request (elicitation,
 * sampling, roots), the client's request is answered `input_required` with those requests and an
 * opaque request state; the client's retry carries the answers, which go to the server's waiting
 * requests, and the original request's answer goes to the retry. Change notifications reach the
 * client only on `subscriptions/listen` streams that asked for them (resources subscribed to with
 * `resources/subscribe`); logs only for requests that set a level.
 */
export function modernClient(channel: Channel, options: { remember: boolean }): Conversation {
  const calls = new Map<Id, Call>();
  const byClient = new Map<Id, Call>();
  const states = new Map<string, Call>();
  const listens = new Map<Id, Listen>();
  const uriUsers = new Map<string, number>();
  let session: Promise<Params> | undefined;
  let serverCapabilities: Params = {};
  let level: string | undefined;
  let inputKeys = 0;
  let upstreamIds = 0;

  const hasCapability = (name: string, flag?: string) => {
    const capability = serverCapabilities[name];
    return isObject(capability) && (flag === undefined || capability[flag] === true);
  };

  /** The 2025 session, opened once, on the client's first request, with what its envelope says of the client. */
  const opened = (envelope: Params): Promise<Params> =>
    (session ??= (async () => {
      const info = envelope[CLIENT_INFO_KEY];
      const answer = await channel.askServer('initialize', {
        protocolVersion: LEGACY_REVISION,
        capabilities: isObject(envelope[CLIENT_CAPABILITIES_KEY]) ? envelope[CLIENT_CAPABILITIES_KEY] : {},
        clientInfo: isObject(info) ? info : { name: 'mcp-cli', version: MCP_CLI_VERSION },
      });
      if (!isObject(answer.result)) throw new Error(`initialize was refused: ${isObject(answer.error) ? String(answer.error.message) : 'no result'}`);
      const result = answer.result;
      if (typeof result.protocolVersion === 'string') channel.link.setProtocolVersion(result.protocolVersion);
      serverCapabilities = isObject(result.capabilities) ? result.capabilities : {};
      await channel.toServer({ jsonrpc: '2.0', method: 'notifications/initialized' });
      if (options.remember) void rememberLegacy(channel.memory, result);
      return result;
    })().catch((error: unknown) => {
      session = undefined;
      throw error;
    }));

  const discoverResult = (init: Params) => ({
    supportedVersions: [MODERN_REVISION],
    capabilities: serverCapabilities,
    ...(typeof init.instructions === 'string' ? { instructions: init.instructions } : {}),
    ...(isObject(init.serverInfo) ? { _meta: { [SERVER_INFO_KEY]: init.serverInfo } } : {}),
    resultType: 'complete',
    ttlMs: 0,
    cacheScope: 'private',
  });

  /** The session's log level follows the latest request that names one (2025 has one level per session). */
  const followLevel = async (envelope: Params) => {
    const wanted = envelope[LOG_LEVEL_KEY];
    if (typeof wanted !== 'string' || wanted === level || !hasCapability('logging')) return;
    level = wanted;
    await channel.askServer('logging/setLevel', { level: wanted }).catch(() => undefined);
  };

  const deliver = (call: Call, response: Message) => {
    calls.delete(call.upstreamId);
    if (call.clientId !== undefined) byClient.delete(call.clientId);
    channel.toClient(modernResponse({ ...response, id: call.clientId! }, call.method));
  };

  /** Hands the server's waiting requests to the client: its request is answered `input_required`, and the call waits for the retry. */
  const flush = (call: Call) => {
    call.flushing = false;
    if (call.clientId === undefined || call.held.size === 0 || calls.get(call.upstreamId) !== call) return;
    const state = randomUUID();
    states.set(state, call);
    const inputRequests = Object.fromEntries(
      [...call.held].map(([key, request]) => [key, { method: request.method, params: modernInputParams(paramsOf(request)) }]),
    );
    call.asked = new Map([...call.held].map(([key, request]) => [key, request.id as Id]));
    call.held.clear();
    const clientId = call.clientId;
    byClient.delete(clientId);
    call.clientId = undefined;
    channel.toClient(resultResponse(clientId, { resultType: 'input_required', inputRequests, requestState: state }));
  };

  const answerServer = (id: Id, answer: unknown) =>
    channel.toServer(
      isObject(answer)
        ? resultResponse(id, answer)
        : errorResponse(id, ErrorCode.internal, 'the client gave no answer to this request (it speaks MCP 2026-07-28)'),
    );

  /** The client's retry of a request answered `input_required`: its answers go to the server, and it waits for the original answer. */
  const resume = async (call: Call, message: Message & { id: Id }, params: Params) => {
    const meta = metaOf(params);
    call.clientId = message.id;
    call.clientToken = meta.progressToken;
    call.wantsLogs = typeof meta[LOG_LEVEL_KEY] === 'string';
    byClient.set(message.id, call);
    const responses = isObject(params.inputResponses) ? params.inputResponses : {};
    const asked = [...call.asked];
    call.asked = new Map();
    await Promise.all(asked.map(([key, id]) => answerServer(id, responses[key])));
    if (call.final) return deliver(call, call.final);
    if (call.held.size > 0) flush(call);
  };

  const cancel = async (clientId: Id, reason: unknown) => {
    if (listens.has(clientId)) return unlisten(clientId);
    const call = byClient.get(clientId);
    if (!call) return;
    byClient.delete(clientId);
    calls.delete(call.upstreamId);
    const waiting = [...call.held.values()].map((r) => r.id as Id);
    await Promise.all([
      channel.toServer({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: call.upstreamId, ...(typeof reason === 'string' ? { reason } : {}) },
      }),
      ...waiting.map((id) => answerServer(id, undefined)),
    ]);
  };

  const listen = async (message: Message & { id: Id }, params: Params) => {
    const asked = isObject(params.notifications) ? params.notifications : {};
    const notifications: Params = {};
    for (const [flag, name] of [
      ['toolsListChanged', 'tools'],
      ['promptsListChanged', 'prompts'],
      ['resourcesListChanged', 'resources'],
    ] as const)
      if (asked[flag] === true && hasCapability(name, 'listChanged')) notifications[flag] = true;
    const uris =
      Array.isArray(asked.resourceSubscriptions) && hasCapability('resources', 'subscribe')
        ? asked.resourceSubscriptions.filter((u) => typeof u === 'string')
        : [];
    const subscribed: string[] = [];
    for (const uri of uris) {
      const users = uriUsers.get(uri) ?? 0;
      if (users === 0) {
        const answer = await channel.askServer('resources/subscribe', { uri });
        if (!isObject(answer.result)) continue;
      }
      uriUsers.set(uri, users + 1);
      subscribed.push(uri);
    }
    if (subscribed.length > 0) notifications.resourceSubscriptions = subscribed;
    listens.set(message.id, { notifications, uris: subscribed });
    channel.toClient({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications, _meta: { [SUBSCRIPTION_ID_KEY]: message.id } },
    });
  };

  const unlisten = async (id: Id) => {
    const ended = listens.get(id);
    listens.delete(id);
    for (const uri of ended?.uris ?? []) {
      const users = (uriUsers.get(uri) ?? 1) - 1;
      if (users > 0) uriUsers.set(uri, users);
      else {
        uriUsers.delete(uri);
        await channel.askServer('resources/unsubscribe', { uri }).catch(() => undefined);
      }
    }
  };

  /** A change notification goes to each listen stream that asked for it, marked with the stream's id. */
  const publish = (message: Message) => {
    const params = paramsOf(message);
    const flag = {
      'notifications/tools/list_changed': 'toolsListChanged',
      'notifications/prompts/list_changed': 'promptsListChanged',
      'notifications/resources/list_changed': 'resourcesListChanged',
    }[message.method as string];
    for (const [id, { notifications, uris }] of listens) {
      const wanted = flag !== undefined ? notifications[flag] === true : typeof params.uri === 'string' && uris.includes(params.uri);
      if (wanted) channel.toClient({ ...message, params: withMeta(params, { ...metaOf(params), [SUBSCRIPTION_ID_KEY]: id }) });
    }
  };

  /** The call a request of the server's belongs to: the one whose answer stream carried it, else the oldest that may ask for input. */
  const callOf = (related: Id | undefined): Call | undefined => {
    if (related !== undefined) return calls.get(related);
    return [...calls.values()].find((call) => MULTI_ROUND_METHODS.has(call.method));
  };

  return {
    async fromClient(message) {
      const params = paramsOf(message);
      const envelope = metaOf(params);
      if (message.method === 'notifications/cancelled') return cancel(params.requestId as Id, params.reason);
      if (isNotification(message)) {
        await opened(envelope);
        return channel.toServer({ ...message, params: withMeta(params, withoutEnvelope(envelope)) });
      }
      if (!isRequest(message)) return;
      if (typeof params.requestState === 'string' && MULTI_ROUND_METHODS.has(message.method)) {
        const call = states.get(params.requestState);
        if (!call) return channel.toClient(errorResponse(message.id, ErrorCode.invalidParams, 'Invalid or expired requestState'));
        states.delete(params.requestState);
        return resume(call, message, params);
      }
      const init = await opened(envelope);
      if (message.method === 'server/discover') return channel.toClient(resultResponse(message.id, discoverResult(init)));
      if (message.method === 'subscriptions/listen') return listen(message, params);
      await followLevel(envelope);
      const upstreamId = calls.has(message.id) ? `mcp-cli-call-${++upstreamIds}` : message.id;
      const call: Call = {
        method: message.method,
        upstreamId,
        clientId: message.id,
        clientToken: envelope.progressToken,
        upstreamToken: envelope.progressToken,
        wantsLogs: typeof envelope[LOG_LEVEL_KEY] === 'string',
        held: new Map(),
        asked: new Map(),
        flushing: false,
      };
      calls.set(upstreamId, call);
      byClient.set(message.id, call);
      const { inputResponses: _responses, requestState: _state, ...rest } = params;
      try {
        await channel.toServer({ jsonrpc: '2.0', id: upstreamId, method: message.method, params: withMeta(rest, withoutEnvelope(envelope)) });
      } catch (error) {
        calls.delete(upstreamId);
        byClient.delete(message.id);
        throw error;
      }
    },
    fromServer(message, related) {
      if (isResponse(message)) {
        const call = calls.get(message.id);
        if (!call) return;
        if (call.clientId === undefined) call.final = message;
        else deliver(call, message);
        return;
      }
      if (isRequest(message)) {
        if (message.method === 'ping') return void channel.toServer(resultResponse(message.id, {})).catch(() => undefined);
        const call = INPUT_METHODS.has(message.method) ? callOf(related) : undefined;
        if (!call) {
          const refusal = `${message.method} is not available: the client speaks MCP 2026-07-28, where a server asks its client only while answering a request`;
          return void channel.toServer(errorResponse(message.id, ErrorCode.methodNotFound, refusal)).catch(() => undefined);
        }
        call.held.set(`input-${++inputKeys}`, message);
        // Requests sent together go to the client in one round.
        if (!call.flushing) {
          call.flushing = true;
          setImmediate(() => flush(call));
        }
        return;
      }
      const params = paramsOf(message);
      switch (message.method) {
        case 'notifications/progress': {
          const call = [...calls.values()].find((c) => c.upstreamToken !== undefined && c.upstreamToken === params.progressToken);
          if (call?.clientId !== undefined && call.clientToken !== undefined)
            channel.toClient({ ...message, params: { ...params, progressToken: call.clientToken } });
          return;
        }
        case 'notifications/message': {
          const call = related !== undefined ? calls.get(related) : undefined;
          if (call?.wantsLogs && call.clientId !== undefined) channel.toClient(message);
          return;
        }
        case 'notifications/tools/list_changed':
        case 'notifications/prompts/list_changed':
        case 'notifications/resources/list_changed':
        case 'notifications/resources/updated':
          return publish(message);
        case 'notifications/cancelled': {
          // The server gave up on a request of its own: the client is not asked it any more.
          for (const call of calls.values())
            for (const [key, request] of call.held) if (isId(params.requestId) && request.id === params.requestId) call.held.delete(key);
          return;
        }
      }
      const call = related !== undefined ? calls.get(related) : undefined;
      if (call?.clientId !== undefined) channel.toClient(message);
    },
    streamEnded(id) {
      const call = calls.get(id);
      if (!call) return;
      calls.delete(id);
      if (call.clientId !== undefined) {
        byClient.delete(call.clientId);
        channel.fail(call.clientId, streamEndFailure(channel.memory.server.name));
      }
    },
    close() {},
  };
}

/** A 2025 answer as a 2026 client reads it: `resultType`, and the cache hints of cacheable results (none: 0 ms, private). */
function modernResponse(response: Message, method: string): Message {
  if (!isObject(response.result)) return response;
  const result: Params = { ...response.result, resultType: response.result.resultType ?? 'complete' };
  if (CACHEABLE_METHODS.has(method)) {
    result.ttlMs ??= 0;
    result.cacheScope ??= 'private';
  }
  return { ...response, result };
}

/** A 2025 request of the server's as an embedded 2026 input request: the 2026 form has no `elicitationId` or task. */
function modernInputParams(params: Params): Params {
  const { elicitationId: _id, task: _task, ...rest } = params;
  return rest;
}
