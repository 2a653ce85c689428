import { canAskSecret, type Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { readAll, stripFinalNewline } from '../../io/read-stdin.js';

/**
 * Where a secret value comes from: `--value V`; piped stdin (also `--value -`); a hidden
 * prompt when stdin is a terminal (also `--value -`: a terminal has no end of input to wait
 * for, and typing there must not echo). With none of these it is an error, never an empty secret.
 */
export async function readSecretValue(ctx: Ctx, option: string | undefined, prompt: string): Promise<string> {
  let value: string;
  if (option !== undefined && option !== '-') value = option;
  else if (!ctx.tty.stdin) value = stripFinalNewline(await readAll(ctx.stdin));
  else if (canAskSecret(ctx)) value = await ctx.prompter.secret(prompt);
  else throw new CliError('no value given', 1, 'pass --value -, pipe the value on standard input, or run in a terminal');
  if (value === '') {
    throw new CliError(
      !ctx.tty.stdin && option !== '-' ? 'no value given: standard input was empty' : 'the value must not be empty',
      1,
      'pass --value -, pipe the value on standard input, or run in a terminal to be prompted',
    );
  }
  return value;
}
