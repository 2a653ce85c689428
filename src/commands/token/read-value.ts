import { canPrompt, type Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { readAll, stripFinalNewline } from '../../io/read-stdin.js';

/**
 * Where a secret value comes from: `--value V`; `--value -` or piped stdin; a hidden
 * prompt on a terminal. With none of these it is an error, never an empty secret.
 */
export async function readSecretValue(ctx: Ctx, option: string | undefined, prompt: string): Promise<string> {
  let value: string;
  if (option !== undefined && option !== '-') value = option;
  else if (option === '-' || !ctx.tty.stdin) value = stripFinalNewline(await readAll(ctx.stdin));
  else if (canPrompt(ctx)) value = await ctx.prompter.secret(prompt);
  else throw new CliError('no value given', 1, 'pass --value -, pipe the value on standard input, or run in a terminal');
  if (value === '') {
    throw new CliError(
      option === undefined && !ctx.tty.stdin ? 'no value given: standard input was empty' : 'the value must not be empty',
      1,
      'pass --value -, pipe the value on standard input, or run in a terminal to be prompted',
    );
  }
  return value;
}
