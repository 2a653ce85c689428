import type { Ctx } from '../../context.js';
import { withGlobals } from '../../services/factory.js';
import { CliError } from '../../errors.js';
import { EncryptedFileStore } from '../../stores/encrypted/store.js';
import { descriptorOf } from '../../stores/selection.js';
import { BACKEND_NAMES, isBackendName } from '../../stores/store.js';
import type { ConflictPolicy, MigrationStep } from '../../tokens/manager.js';
import { conflictsSaid, showPlan, stepNames } from '../shared/plan.js';
import { success } from '../../io/notices.js';
import { storageSetup } from '../../services/storage.js';

export interface MigrateOptions {
  from: string;
  /** The destination, chosen as --token-backend would choose it (default: the active backend). */
  to?: string;
  overwrite?: boolean;
  skipExisting?: boolean;
  dryRun?: boolean;
}

/**
 * Moves every token of one backend into the active one (or `--to`), metadata unchanged. Each
 * token is written and read back before it is deleted from the source; a conflict (the same
 * name with another value) stops everything unless --overwrite or --skip-existing says what to do.
 */
export async function run(options: MigrateOptions, ctx: Ctx): Promise<void> {
  if (options.overwrite && options.skipExisting) throw new CliError('--overwrite and --skip-existing contradict each other');
  const from = options.from.trim().toLowerCase();
  if (!isBackendName(from))
    throw new CliError(`unknown token backend ${JSON.stringify(options.from)} (from --from)`, 1, `choose one of: ${BACKEND_NAMES.join(', ')}`);

  if (options.to && ctx.globals.tokenBackend && options.to !== ctx.globals.tokenBackend)
    throw new CliError(`--to ${options.to} and --token-backend ${ctx.globals.tokenBackend} name different destinations`);
  if (options.to) ctx = withGlobals(ctx, { ...ctx.globals, tokenBackend: options.to });
  const { manager, selection, store: destination } = await ctx.store();
  if (selection.name === from)
    throw new CliError(`'${from}' is the destination (${selection.reason}); nothing to move`, 1, 'name another destination with --to BACKEND');
  const setup = await storageSetup(ctx);
  const descriptor = descriptorOf(from);
  const availability = await descriptor.probe(setup.backendEnv);
  if (!availability.available) throw new CliError(`the source backend '${from}' is unavailable: ${availability.detail}`, 1, availability.hint);
  const source = await descriptor.open(setup.backendEnv);

  const policy: ConflictPolicy = options.overwrite ? 'overwrite' : options.skipExisting ? 'skip' : 'fail';
  const plan = await manager.planMigration(source, policy);
  if (plan.length === 0) {
    ctx.stderr.write(`No tokens in ${from} (${source.location}); nothing to move.\n`);
    if (!options.dryRun) await removeIfEmpty(ctx, source);
    return;
  }
  const conflicts = plan.filter((s) => s.action === 'conflict');
  if (options.dryRun || conflicts.length > 0) showPlan(ctx, plan);
  if (conflicts.length > 0)
    throw new CliError(
      `${conflictsSaid(conflicts)} in ${selection.name} with other values: ${stepNames(conflicts)}; nothing was moved`,
      1,
      `pass --overwrite to replace them with the ones from ${from}, or --skip-existing to keep them (the ${from} copies then stay where they are)`,
    );
  const route = `from ${from} (${source.location}) to ${selection.name} (${destination.location})`;
  if (options.dryRun) {
    ctx.stderr.write(`Dry run: would move ${summary(plan)} ${route}; nothing was written.\n`);
    return;
  }
  await manager.applyMigration(plan, source);
  success(ctx, `Moved ${summary(plan)} ${route}`);
  await removeIfEmpty(ctx, source);
}

function summary(plan: MigrationStep[]): string {
  const count = (action: MigrationStep['action']) => plan.filter((s) => s.action === action).length;
  const moved = plan.length - count('skip');
  const parts = [`${moved} token${moved === 1 ? '' : 's'}`];
  if (count('overwrite') > 0) parts.push(`${count('overwrite')} of them overwriting`);
  if (count('same') > 0) parts.push(`${count('same')} of them already there`);
  if (count('skip') > 0) parts.push(`${count('skip')} skipped and left in the source`);
  return parts.join(', ');
}

/** A token file left without tokens would keep `token list` pointing at it: it goes. */
async function removeIfEmpty(ctx: Ctx, source: unknown): Promise<void> {
  if (source instanceof EncryptedFileStore && (await source.removeIfEmpty())) ctx.stderr.write(`Removed ${source.location}: it holds no tokens any more.\n`);
}
