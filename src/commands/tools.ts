import type { Tool } from '@modelcontextprotocol/client';
import type { Ctx } from '../context.js';
import { renderTable } from '../io/table.js';
import { withConnection } from '../services/connect-server.js';
import { tableOutput } from './shared/present.js';

export interface ToolsOptions {
  json?: boolean;
  /** The OAuth login to use instead of the entry's `account`. */
  account?: string;
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

/** Lists a server's tools (every page; in the 2026 era without those whose `x-mcp-header` is invalid, as the SDK excludes them). */
export async function run(name: string, options: ToolsOptions, ctx: Ctx): Promise<void> {
  await withConnection(ctx, { name, account: options.account }, async (connection) => {
    // Masked by the connection: a server could echo a credential back.
    const { tools } = await connection.request((c) => c.listTools());
    if (options.json) {
      ctx.stdout.write(JSON.stringify(tools, null, 2) + '\n');
      return;
    }
    if (tools.length === 0) {
      ctx.stderr.write(`Server '${name}' offers no tools.\n`);
      return;
    }
    const rows = tools.map((t) => [t.name, parametersOf(t), (t.description ?? '').split('\n')[0]!.trim()]);
    ctx.stdout.write(renderTable(['TOOL', { title: 'PARAMETERS', flex: true }, { title: 'DESCRIPTION', flex: true }], rows, tableOutput(ctx)));
  });
}
