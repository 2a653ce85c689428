import type { Ctx } from '../../context.js';
import { CliError, ExitCode } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import { requireDuration } from '../../tokens/duration.js';
import { matchesFilter } from '../../tokens/filter.js';
import { expiryCell, expiryStatus, expiryTone, tableOutput } from '../shared/present.js';

export interface CheckOptions {
  expiringWithin?: string;
  namespace?: string;
  json?: boolean;
}

/** For cron jobs: exit 0 when no token is expired or expiring within the window, else exit 4 with the list. */
export async function run(options: CheckOptions, ctx: Ctx): Promise<void> {
  const window = options.expiringWithin ?? '7d';
  const withinMs = requireDuration(window, '--expiring-within');
  const { manager } = await ctx.store();
  const now = ctx.now();
  const all = await manager.list({ namespace: options.namespace });
  const due = all.filter((m) => matchesFilter(m, { expiringWithinMs: withinMs }, now));
  if (options.json) {
    ctx.stdout.write(
      JSON.stringify(
        {
          checked: all.length,
          window,
          due: due.map((m) => ({
            name: m.name,
            namespace: m.namespace,
            type: m.type,
            expiresAt: m.expiresAt,
            expired: Date.parse(m.expiresAt!) <= now.getTime(),
          })),
        },
        null,
        2,
      ) + '\n',
    );
  } else if (due.length > 0) {
    const tty = ctx.tty.stdout;
    const rows = due.map((m) => {
      const status = expiryStatus(m, now, withinMs);
      return { cells: [m.type, m.name, m.namespace, expiryCell(m, now, tty, withinMs), ...(tty ? [] : [status ?? ''])], tone: expiryTone(status) };
    });
    ctx.stdout.write(renderTable(['TYPE', 'NAME', 'NAMESPACE', 'EXPIRES'], rows, tableOutput(ctx)));
  }
  if (due.length > 0) {
    const expired = due.filter((m) => Date.parse(m.expiresAt!) <= now.getTime()).length;
    throw new CliError(
      `${expired} expired and ${due.length - expired} expiring within ${window}, of ${all.length} tokens`,
      ExitCode.authRequired,
      'renew them with `mcp-cli token rotate NAME`',
    );
  }
  if (!options.json) ctx.stderr.write(`All ${all.length} tokens are valid for at least ${window}.\n`);
}
