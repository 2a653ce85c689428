import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { parseTokenType, TOKEN_TYPES, type TokenType } from '../../tokens/model.js';
import { renderTable, tableFits, type Column } from '../../io/table.js';
import { requireDuration } from '../../tokens/duration.js';
import { typesFromSwitches, type TypeSwitches } from '../../tokens/filter.js';
import { detailsCell, expiryCell, expiryStatus, expiryTone, formatTime, shortExpiryCell, tableOutput, tokenJson } from '../shared/present.js';
import { leftoversOf, noteTokensElsewhere } from './elsewhere.js';

export interface ListOptions extends TypeSwitches {
  namespace?: string;
  type?: string;
  expired?: boolean;
  expiringWithin?: string;
  json?: boolean;
}

/** `--type T` (one type, spelled as `token set` takes it) or the type switches; not both. */
function typesOf(options: ListOptions): Set<TokenType> | undefined {
  const switched = typesFromSwitches(options);
  if (options.type === undefined) return switched;
  const type = parseTokenType(options.type);
  if (!type) throw new CliError(`unknown token type ${JSON.stringify(options.type)}`, 1, `choose one of: ${TOKEN_TYPES.join(', ')}`);
  if (switched) throw new CliError('pass either --type or the type switches (--bearer, --no-oauth, ...), not both');
  return new Set([type]);
}

export async function run(options: ListOptions, ctx: Ctx): Promise<void> {
  const expiringWithinMs = options.expiringWithin !== undefined ? requireDuration(options.expiringWithin, '--expiring-within') : undefined;
  const types = typesOf(options);
  const { manager, selection } = await ctx.store();
  const tokens = await manager.list({
    namespace: options.namespace,
    types,
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
    const output = tableOutput(ctx);
    const columns: Column[] = ['TYPE', 'NAME', 'NAMESPACE', 'CREATED', 'EXPIRES', { title: 'DETAILS', flex: true }];
    // Piped, one value per column: the ISO expiry, then its status in a column of its own.
    const rowsWith = (expiry: (t: (typeof tokens)[number]) => string, created?: (iso: string) => string) =>
      tokens.map((t) => {
        const status = expiryStatus(t, now);
        const expires = tty ? [expiry(t)] : [expiryCell(t, now, tty), status ?? ''];
        return { cells: [t.type, t.name, t.namespace, ...(created ? [created(t.createdAt)] : []), ...expires, detailsCell(t)], tone: expiryTone(status) };
      });
    const full = rowsWith(
      (t) => expiryCell(t, now, tty),
      (iso) => formatTime(iso, tty),
    );
    // Too wide for the terminal: the dates give way to their short forms (`in 3d`, `expired 2y ago`), then CREATED
    // (in `token get` and --json) to the other columns, before a cell is cut.
    const short = rowsWith(
      (t) => shortExpiryCell(t, now),
      (iso) => iso.slice(0, 10),
    );
    const narrow = columns.filter((c) => c !== 'CREATED');
    const [shownColumns, rows] = tableFits(columns, full, output)
      ? [columns, full]
      : tableFits(columns, short, output)
        ? [columns, short]
        : [narrow, rowsWith((t) => shortExpiryCell(t, now))];
    ctx.stdout.write(renderTable(shownColumns, rows, output));
  }
  noteTokensElsewhere(ctx, selection.name, leftoversOf(selection));
}
