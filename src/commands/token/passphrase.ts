import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { replaceKey } from '../../agent/session.js';
import { EncryptedFileStore } from '../../stores/encrypted/store.js';
import { success } from '../../io/notices.js';
import { passphraseFrom } from './passphrase-prompt.js';

export const NEW_PASSPHRASE_ENV = 'MCP_CLI_NEW_ENCRYPTION_KEY';

/** Changes the encrypted file's passphrase: every token is re-encrypted under a new data key. */
export async function run(ctx: Ctx): Promise<void> {
  const { store } = await ctx.store();
  if (!(store instanceof EncryptedFileStore)) throw new CliError(`the active backend is '${store.backend}'; only the encrypted file has a passphrase`);
  await store.unlockWithPassphrase(); // the current passphrase first, so a typo there fails before asking for a new one
  const next = await passphraseFrom(ctx, NEW_PASSPHRASE_ENV, 'New passphrase: ', true);
  const { before, after } = await store.changePassphrase(next);
  try {
    success(ctx, `Changed the passphrase of ${store.location}; every token is re-encrypted under a new key`);
    // An unlock session held the old key, which opens only the old version: it gets the new one.
    if (await replaceKey(ctx.env, before, after)) ctx.stderr.write('The unlock session now holds the new key.\n');
  } finally {
    after.dataKey.fill(0);
  }
}
