import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { ensureDir, writeFileAtomic } from '../../fs/atomic-write.js';
import { success } from '../../io/notices.js';
import { passphraseFrom } from './passphrase-prompt.js';

export const EXPORT_PASSPHRASE_ENV = 'MCP_CLI_EXPORT_PASSPHRASE';

export interface ExportOptions {
  namespace?: string;
  force?: boolean;
}

export async function run(file: string, options: ExportOptions, ctx: Ctx): Promise<void> {
  const path = resolve(ctx.cwd, file);
  if (
    !options.force &&
    (await access(path).then(
      () => true,
      () => false,
    ))
  )
    throw new CliError(`${file} already exists`, 1, 'choose another file, or pass --force to replace it');
  const { manager } = await ctx.store();
  const metadata = await manager.list({ namespace: options.namespace });
  if (metadata.length === 0) throw new CliError(`no tokens to export${options.namespace !== undefined ? ` in namespace '${options.namespace}'` : ''}`);
  // A folder that cannot be made is said before the passphrase is asked for and the key derived (a second or more).
  ensureDir(dirname(path));
  const passphrase = await passphraseFrom(ctx, EXPORT_PASSPHRASE_ENV, `Passphrase for ${file}: `, true);
  const tokens = await manager.exportTokens({ namespace: options.namespace });
  const { sealBundle } = await import('../../bundle/bundle.js');
  await writeFileAtomic(path, await sealBundle(tokens, passphrase, ctx.now()));
  success(ctx, `Exported ${tokens.length} token${tokens.length === 1 ? '' : 's'} to ${file} (age, passphrase-encrypted)`);
}
