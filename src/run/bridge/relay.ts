import { rememberLegacy } from '../../mcp/server-era.js';
import { envelopeOf, isObject, isRequest, isResponse, paramsOf, type Id, type Message } from '../../mcp/wire.js';
import { streamEndFailure, type Channel, type Conversation } from './channel.js';
import type { ToolBook } from './tool-book.js';

/**
 * A client and a server of the same era: each message goes as the client sent it. In the 2025 era the
 * session's protocol version is the one `initialize` settled on. In the 2026 era a request that the
 * client cancels has its answer stream closed (that is how the era cancels over HTTP; the
 * notification itself is for stdio), and a tool's `x-mcp-header` arguments go in headers too, for
 * which the tools are learnt from `tools/list` (and listed first when a call names one not seen yet).
 */
export function relay(channel: Channel, era: 'legacy' | 'modern', options: { tools: ToolBook; remember: boolean; primed?: Message }): Conversation {
  const initializing = new Set<Id>();
  const open = new Map<Id, AbortController>();
  let primed = options.primed;

  return {
    async fromClient(message) {
      if (era === 'legacy') {
        if (isObject(message) && message.method === 'initialize' && isRequest(message)) initializing.add(message.id);
        return channel.toServer(message);
      }
      if (message.method === 'notifications/cancelled') {
        const id = paramsOf(message).requestId;
        open.get(id as Id)?.abort();
        return;
      }
      if (!isRequest(message)) return channel.toServer(message);
      // A client that opened with `server/discover` had it sent as the probe: its answer is the one.
      if (message.method === 'server/discover' && primed) {
        channel.toClient({ ...primed, id: message.id });
        primed = undefined;
        return;
      }
      const params = paramsOf(message);
      if (message.method === 'tools/call' && typeof params.name === 'string') await options.tools.learn(params.name, envelopeOf(params));
      options.tools.sent(message);
      const controller = new AbortController();
      open.set(message.id, controller);
      try {
        await channel.toServer(message, { signal: controller.signal });
      } catch (error) {
        open.delete(message.id);
        throw error;
      }
    },
    fromServer(message) {
      if (isResponse(message)) {
        open.delete(message.id);
        options.tools.seen(message.id, message);
        if (initializing.delete(message.id) && isObject(message.result)) {
          const version = message.result.protocolVersion;
          if (typeof version === 'string') channel.link.setProtocolVersion(version);
          if (options.remember) void rememberLegacy(channel.memory, message.result);
        }
      }
      channel.toClient(message);
    },
    streamEnded(id) {
      if (open.delete(id)) channel.fail(id, streamEndFailure(channel.memory.server.name));
    },
    close() {
      for (const controller of open.values()) controller.abort();
    },
  };
}
