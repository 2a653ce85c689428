import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { fsFailure } from '../../fs/errors.js';
import type { ConflictPolicy } from '../../tokens/manager.js';
import { conflictsSaid, showPlan, stepNames } from '../shared/plan.js';
import { success } from '../../io/notices.js';
import { EXPORT_PASSPHRASE_ENV } from './export.js';
import { passphraseFrom } from './passphrase-prompt.js';

export interface ImportOptions {
  namespace?: string;
  overwrite?: boolean;
  skipExisting?: boolean;
  dryRun?: boolean;
}

export async function run(file: string, options: ImportOptions, ctx: Ctx): Promise<void> {
  if (options.overwrite && options.skipExisting) throw new CliError('--overwrite and --skip-existing contradict each other');
  const data = await readFile(resolve(ctx.cwd, file)).catch((error: unknown) => {
    throw fsFailure(error, 'read', file);
  });
  const passphrase = await passphraseFrom(ctx, EXPORT_PASSPHRASE_ENV, `Passphrase for ${file}: `, false);
  const { openBundle } = await import('../../bundle/bundle.js');
  const bundle = await openBundle(data, passphrase, file);
  const tokens = bundle.tokens.filter((t) => options.namespace === undefined || t.metadata.namespace === options.namespace);

  const { manager } = await ctx.store();
  const policy: ConflictPolicy = options.overwrite ? 'overwrite' : options.skipExisting ? 'skip' : 'fail';
  const plan = await manager.planImport(tokens, policy);
  const conflicts = plan.filter((s) => s.action === 'conflict');

  if (options.dryRun || conflicts.length > 0) showPlan(ctx, plan);
  if (conflicts.length > 0)
    throw new CliError(
      `${conflictsSaid(conflicts)}: ${stepNames(conflicts)}; nothing was imported`,
      1,
      'pass --overwrite to replace them or --skip-existing to keep them',
    );
  const count = (action: string) => plan.filter((s) => s.action === action).length;
  const unchanged = count('unchanged');
  const summary = `${count('create')} new, ${count('overwrite')} overwritten, ${count('skip')} skipped${unchanged > 0 ? `, ${unchanged} unchanged (already here, identical)` : ''}`;
  if (options.dryRun) {
    ctx.stderr.write(`Dry run: would import ${summary}; nothing was written.\n`);
    return;
  }
  await manager.applyImport(plan);
  success(ctx, `Imported from ${file}: ${summary}`);
}
