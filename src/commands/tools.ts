import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Ctx } from '../context.js';
import { renderTable } from '../io/table.js';
import { maskSecrets } from '../mcp/mask.js';
import { withConnection } from '../services/connect-server.js';
import { tableOutput } from './shared/present.js';

export interface ToolsOptions {
  json?: boolean;
}

/** `query: string, limit?: integer`: each parameter of the input schema, `?` when it is optional. */
export function parametersOf(tool: Tool): string {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, { type?: unknown }>;
  const required = new Set(tool.inputSchema.required ?? []);
  return Object.entries(properties)
    .map(([name, schema]) => {
      const type = Array.isArray(schema?.type) ? schema.type.join('|') : typeof schema?.type === 'string' ? schema.type : undefined;
      return `${name}${required.has(name) ? '' : '?'}${type ? `: ${type}` : ''}`;
    })
    .join(', ');
}

export async function run(name: string, options: ToolsOptions, ctx: Ctx): Promise<void> {
  await withConnection(ctx, name, async (connection, server) => {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await connection.request((c) => c.listTools(cursor ? { cursor } : {}));
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    // A server could echo a credential back; nothing it says is printed unmasked.
    const mask = (text: string) => maskSecrets(text, server.secrets);
    if (options.json) {
      ctx.stdout.write(mask(JSON.stringify(tools, null, 2)) + '\n');
      return;
    }
    if (tools.length === 0) {
      ctx.stderr.write(`Server '${name}' offers no tools.\n`);
      return;
    }
    // Masked cell by cell, before a cell is cut to fit: a secret cut in two would escape the mask.
    const rows = tools.map((t) => [t.name, parametersOf(t), (t.description ?? '').split('\n')[0]!.trim()].map(mask));
    ctx.stdout.write(renderTable(['TOOL', { title: 'PARAMETERS', flex: true }, { title: 'DESCRIPTION', flex: true }], rows, tableOutput(ctx)));
  });
}
