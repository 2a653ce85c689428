import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Ctx } from '../context.js';
import { renderTable } from '../io/table.js';
import { maskSecrets } from '../mcp/mask.js';
import { withConnection } from './shared/connect-server.js';

export interface ToolsOptions {
  json?: boolean;
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
    const rows = tools.map((t) => [t.name, (t.description ?? '').split('\n')[0]!.trim()]);
    ctx.stdout.write(mask(renderTable(['TOOL', 'DESCRIPTION'], rows, ctx.tty.stdout)));
  });
}
