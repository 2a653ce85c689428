import { canAskSecret, type Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { askNewPassphrase } from '../../stores/encrypted/passphrase.js';

/**
 * A passphrase from `variable`, else a hidden prompt (a new one is asked twice, and again on a
 * mismatch), else an error naming the variable. Used where a command needs a passphrase of its own.
 */
export async function passphraseFrom(ctx: Ctx, variable: string, prompt: string, confirm: boolean): Promise<string> {
  const fromEnv = ctx.env[variable];
  if (fromEnv) return fromEnv;
  if (!canAskSecret(ctx))
    throw new CliError('a passphrase is needed and there is no terminal to ask for it', 1, `set ${variable}, or run the command in a terminal`);
  if (confirm) return askNewPassphrase(ctx.prompter, prompt);
  const answer = await ctx.prompter.secret(prompt);
  if (answer === '') throw new CliError('the passphrase must not be empty');
  return answer;
}
