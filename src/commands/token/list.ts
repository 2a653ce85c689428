import type { Ctx } from '../../context.js';
import { renderTable } from '../../io/table.js';
import { requireDuration } from '../../tokens/duration.js';
import { typesFromSwitches, type TypeSwitches } from '../../tokens/filter.js';
import { detailsCell, expiryCell, formatTime, tokenJson } from '../shared/present.js';
import { leftoversOf, noteTokensElsewhere } from './elsewhere.js';

export interface ListOptions extends TypeSwitches {
  namespace?: string;
  expired?: boolean;
  expiringWithin?: string;
  json?: boolean;
}

export async function run(options: ListOptions, ctx: Ctx): Promise<void> {
  const expiringWithinMs = options.expiringWithin !== undefined ? requireDuration(options.expiringWithin, '--expiring-within') : undefined;
  const { manager, selection } = await ctx.store();
  const tokens = await manager.list({
    namespace: options.namespace,
    types: typesFromSwitches(options),
    expired: options.expired,
    expiringWithinMs,
  });
  const now = ctx.now();
  if (options.json) {
    ctx.stdout.write(
      JSON.stringify(
        tokens.map((t) => tokenJson(t, now)),
        null,
        2,
      ) + '\n',
    );
  } else if (tokens.length === 0) {
    ctx.stderr.write('No tokens found.\n');
  } else {
    const tty = ctx.tty.stdout;
    const rows = tokens.map((t) => [t.type, t.name, t.namespace, formatTime(t.createdAt, tty), expiryCell(t, now, tty), detailsCell(t)]);
    ctx.stdout.write(renderTable(['TYPE', 'NAME', 'NAMESPACE', 'CREATED', 'EXPIRES', 'DETAILS'], rows, tty));
  }
  noteTokensElsewhere(ctx, selection.name, leftoversOf(selection));
}
