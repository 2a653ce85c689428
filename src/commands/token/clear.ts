import { canPrompt, type Ctx } from '../../context.js';
import { CancelledError, CliError } from '../../errors.js';
import { success } from '../shared/messages.js';

export interface ClearOptions {
  namespace?: string;
  force?: boolean;
}

export async function run(options: ClearOptions, ctx: Ctx): Promise<void> {
  const { manager, selection } = await ctx.store();
  const targets = await manager.list({ namespace: options.namespace });
  const scope = options.namespace !== undefined ? `in namespace '${options.namespace}'` : `in every namespace`;
  if (targets.length === 0) {
    ctx.stderr.write(`No tokens ${scope}; nothing to clear.\n`);
    return;
  }
  const what = `${targets.length} token${targets.length === 1 ? '' : 's'} ${scope} (${selection.name} backend)`;
  if (!options.force) {
    if (!canPrompt(ctx)) throw new CliError(`refusing to delete ${what} without confirmation`, 1, '--force is required when not running interactively');
    if (!(await ctx.prompter.confirm(`Delete ${what}?`))) throw new CancelledError('cancelled; nothing was deleted');
  }
  const deleted = await manager.deleteTokens(targets);
  success(ctx, `Deleted ${deleted.length} token${deleted.length === 1 ? '' : 's'} ${scope}`);
}
