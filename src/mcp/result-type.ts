import type { JSONRPCMessage, MessageExtraInfo, Transport } from '@modelcontextprotocol/client';

type Deliver = (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A response whose result lacks `resultType`, with `resultType: 'complete'`. Left as it is: a result
 * that names its kind, and one carrying what only another kind has (`inputRequests`, `requestState`),
 * where reading it as complete would show an empty success.
 */
export function withResultType(message: JSONRPCMessage): JSONRPCMessage {
  if (!('result' in message) || !isObject(message.result)) return message;
  const result = message.result;
  if ('resultType' in result || 'inputRequests' in result || 'requestState' in result) return message;
  return { ...message, result: { ...result, resultType: 'complete' } };
}

/**
 * The transport, with every result that reaches the client in the 2026 era carrying a `resultType`.
 * The 2026-07-28 schema tells a client to treat an absent `resultType` as `complete`; the SDK v2
 * (2.4) applies that only to servers of earlier revisions and rejects such a result from a 2026
 * server ("missing required resultType"), so `call` would fail against a server that answered.
 * A Proxy rather than a wrapping object: the SDK reads a stdio transport's own parameters (its
 * prototype, `_serverParams`) to probe the server's era on a sibling process.
 */
export function completeByDefault(transport: Transport, modern: () => boolean): Transport {
  const ours = new WeakSet<Deliver>();
  return new Proxy(transport, {
    set(target, property, value: unknown) {
      if (property === 'onmessage' && typeof value === 'function' && !ours.has(value as Deliver)) {
        const deliver = value as Deliver;
        const completing: Deliver = (message, extra) => deliver(modern() ? withResultType(message) : message, extra);
        ours.add(completing);
        return Reflect.set(target, property, completing);
      }
      return Reflect.set(target, property, value);
    },
  });
}
