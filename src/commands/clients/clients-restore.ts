import { restoreClient } from '../../clients/apply.js';
import { CLIENTS } from '../../clients/catalog.js';
import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { printable } from '../../io/terminal-text.js';
import { success, warn } from '../../io/notices.js';
import { clientId, withClientsLock } from './shared.js';

/**
 * `mcp-cli clients restore CLIENT`: the client's files back as they were before its imports (byte
 * for byte where nobody changed them since; entry by entry otherwise), and what the imports added to
 * server_config.json and the token store taken out again.
 */
export async function run(client: string, ctx: Ctx): Promise<void> {
  const id = clientId(client);
  const { manager } = await ctx.store();
  const report = await withClientsLock(ctx, () => restoreClient(manager, id, { env: ctx.env, platform: ctx.platform }));
  if (!report) throw new CliError(`nothing to restore: no ${CLIENTS[id].name} import is recorded in ${manager.backend} (${manager.location})`);
  const shown = (line: string) => printable(line.split(ctx.env.HOME ?? '\0').join('~'));
  for (const line of report.restored) success(ctx, shown(line));
  for (const line of report.kept) warn(ctx, shown(line));
}
