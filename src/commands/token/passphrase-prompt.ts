import { canPrompt, type Ctx } from '../../context.js';
import { CliError } from '../../errors.js';

/**
 * A passphrase from `variable`, else a hidden prompt (twice when `confirm`), else an
 * error naming the variable. Used where a command needs a passphrase of its own.
 */
export async function passphraseFrom(ctx: Ctx, variable: string, prompt: string, confirm: boolean): Promise<string> {
  const fromEnv = ctx.env[variable];
  if (fromEnv) return fromEnv;
  if (!canPrompt(ctx)) throw new CliError('a passphrase is needed and there is no terminal to ask for it', 1, `set ${variable}, or run the command in a terminal`);
  const first = await ctx.prompter.secret(prompt);
  if (first === '') throw new CliError('the passphrase must not be empty');
  if (confirm && (await ctx.prompter.secret('Repeat the passphrase: ')) !== first) throw new CliError('the two passphrases differ');
  return first;
}
