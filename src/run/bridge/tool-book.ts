import { headerDeclarations, type HeaderDeclaration } from '../../mcp/standard-headers.js';
import { isObject, isRequest, type Id, type Message, type Params } from '../../mcp/wire.js';

/**
 * What the bridge knows of a 2026 server's tools: which arguments each mirrors into `Mcp-Param-*`
 * headers (`x-mcp-header` in its input schema), learnt from the `tools/list` answers that pass by.
 * A call that names a tool not listed yet lists the tools first, once, so that its headers are right.
 */
export interface ToolBook {
  /** A request on its way to the server. */
  sent(message: Message): void;
  /** An answer from the server. */
  seen(id: Id, message: Message): void;
  declarations(name: string): readonly HeaderDeclaration[] | undefined;
  /** Makes sure the tool `name` is known, listing the tools (every page) with `envelope` if it is not. */
  learn(name: string, envelope: Params): Promise<void>;
}

/** Enough pages for any real server; a server that never stops paging is not followed further. */
const MAX_PAGES = 100;

export function toolBook(list: (params: Params) => Promise<Message>): ToolBook {
  const tools = new Map<string, readonly HeaderDeclaration[] | undefined>();
  const listings = new Set<Id>();
  let listed = false;
  const note = (result: unknown) => {
    if (!isObject(result) || !Array.isArray(result.tools)) return;
    for (const tool of result.tools) if (isObject(tool) && typeof tool.name === 'string') tools.set(tool.name, headerDeclarations(tool.inputSchema) ?? []);
  };
  return {
    sent(message) {
      if (isRequest(message) && message.method === 'tools/list') listings.add(message.id);
    },
    seen(id, message) {
      if (listings.delete(id)) note(message.result);
    },
    declarations: (name) => tools.get(name),
    async learn(name, envelope) {
      if (tools.has(name) || listed) return;
      listed = true;
      let cursor: unknown;
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await list({ _meta: envelope, ...(typeof cursor === 'string' ? { cursor } : {}) });
        note(answer.result);
        cursor = isObject(answer.result) ? answer.result.nextCursor : undefined;
        if (typeof cursor !== 'string') return;
      }
    },
  };
}
