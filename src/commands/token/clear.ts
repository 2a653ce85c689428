import { canPrompt, type Ctx } from '../../context.js';
import { CancelledError, CliError } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import { colorEnabled } from '../../io/style.js';
import { changed } from '../shared/messages.js';

export interface ClearOptions {
  namespace?: string;
  force?: boolean;
  json?: boolean;
}

export async function run(options: ClearOptions, ctx: Ctx): Promise<void> {
  const { manager, selection } = await ctx.store();
  const targets = await manager.list({ namespace: options.namespace });
  const scope = options.namespace !== undefined ? ` in namespace '${options.namespace}'` : '';
  if (targets.length === 0) {
    if (options.json) return changed(ctx, options, 'deleted', [], selection.name, '');
    ctx.stderr.write(`Nothing to clear: no tokens${scope} (${selection.name} backend).\n`);
    return;
  }
  const what = `${targets.length} token${targets.length === 1 ? '' : 's'}${scope} (${selection.name} backend)`;
  if (!options.force) {
    if (!canPrompt(ctx)) throw new CliError(`refusing to delete ${what} without confirmation`, 1, '--force is required when not running interactively');
    // What will go, before the question: the same table as `token list`, on the terminal the question is asked on.
    ctx.stderr.write(
      renderTable(
        ['TYPE', 'NAME', 'NAMESPACE'],
        targets.map((t) => [t.type, t.name, t.namespace]),
        { tty: true, columns: ctx.columns, color: colorEnabled(ctx.env, ctx.tty.stderr) },
      ),
    );
    if (!(await ctx.prompter.confirm(`Delete these ${what}?`))) throw new CancelledError('cancelled; nothing was deleted');
  }
  const deleted = await manager.deleteTokens(targets);
  changed(ctx, options, 'deleted', deleted, selection.name, `Deleted ${deleted.length} token${deleted.length === 1 ? '' : 's'}${scope}`);
}
