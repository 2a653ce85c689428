import { canPrompt, type Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { EncryptedFileStore } from '../../stores/encrypted/store.js';
import { success } from '../shared/messages.js';
import { openTokenStore } from '../shared/storage.js';

export const NEW_PASSPHRASE_ENV = 'MCP_CLI_NEW_ENCRYPTION_KEY';

/** Changes the encrypted file's passphrase: the data key is re-wrapped, the tokens stay as they are. */
export async function run(ctx: Ctx): Promise<void> {
  const { store } = await openTokenStore(ctx);
  if (!(store instanceof EncryptedFileStore)) throw new CliError(`the active backend is '${store.backend}'; only the encrypted file has a passphrase`);
  await store.list(); // unlocks with the current passphrase first, so a typo there fails before asking for a new one
  const next = await newPassphrase(ctx);
  await store.changePassphrase(next);
  success(ctx, `Changed the passphrase of ${store.location}`);
}

async function newPassphrase(ctx: Ctx): Promise<string> {
  const fromEnv = ctx.env[NEW_PASSPHRASE_ENV];
  if (fromEnv) return fromEnv;
  if (!canPrompt(ctx)) throw new CliError('no new passphrase given', 1, `set ${NEW_PASSPHRASE_ENV}, or run the command in a terminal`);
  const first = await ctx.prompter.secret('New passphrase: ');
  if (first === '') throw new CliError('the passphrase must not be empty; nothing was changed');
  if ((await ctx.prompter.secret('Repeat the new passphrase: ')) !== first) throw new CliError('the two passphrases differ; nothing was changed');
  return first;
}
