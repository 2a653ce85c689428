import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { canAskSecret, type Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { fsReason } from '../../fs/errors.js';
import { readAll, stripFinalNewline } from '../../io/read-stdin.js';
import type { TokenType } from '../../tokens/model.js';

/** Where `token set` and `token rotate` take a value from: `--value V` (or `-`), or `--value-file PATH`. */
export interface ValueSource {
  value?: string;
  valueFile?: string;
}

/** No secret is this large; `/dev/zero` or a mistaken log file is refused before it fills memory. */
const MAX_VALUE_FILE_BYTES = 1024 * 1024;

/**
 * The text of a --value-file: a file, or a FIFO (`--value-file <(pass show x)`), read up to the
 * limit; bytes that are not UTF-8 are refused rather than stored changed.
 */
async function readValueFile(path: string, shown: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_VALUE_FILE_BYTES) throw new CliError(`the --value-file ${shown} is larger than 1 MiB; no secret is that long`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read the --value-file ${shown}: ${fsReason(error)}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new CliError(`the --value-file ${shown} is not UTF-8 text`, 1, 'store a binary value base64-encoded, as a generic token');
  }
}

/**
 * Where a secret value comes from: `--value V`; `--value-file PATH` (one final newline dropped);
 * piped stdin (also `--value -`); a hidden prompt when stdin is a terminal (also `--value -`: a
 * terminal has no end of input to wait for, and typing there must not echo). With none of these
 * it is an error, never an empty secret.
 */
export async function readSecretValue(ctx: Ctx, source: ValueSource, prompt: string): Promise<string> {
  const { value: option, valueFile } = source;
  if (option !== undefined && valueFile !== undefined) throw new CliError('pass either --value or --value-file, not both');
  if (valueFile !== undefined) {
    const value = stripFinalNewline(await readValueFile(resolve(ctx.cwd, valueFile), valueFile));
    if (value === '') throw new CliError(`the --value-file ${valueFile} is empty`, 1, 'write the value into the file, or pass --value -');
    return value;
  }
  if (option !== undefined && option !== '-') {
    if (option === '') throw new CliError('the value must not be empty', 1, 'pass the value, --value -, or --value-file PATH');
    return option;
  }
  if (!ctx.tty.stdin) {
    const value = stripFinalNewline(await readAll(ctx.stdin));
    if (value === '')
      throw new CliError(
        'no value given: standard input was empty',
        1,
        'pipe the value on standard input, pass --value-file PATH, or run in a terminal to be prompted',
      );
    return value;
  }
  if (!canAskSecret(ctx)) throw new CliError('no value given', 1, 'pass --value -, --value-file PATH, pipe the value on standard input, or run in a terminal');
  const value = await ctx.prompter.secret(prompt);
  if (value === '') throw new CliError('the value must not be empty', 1, 'type or paste the value at the prompt (it is not echoed), or pass --value-file PATH');
  return value;
}

/** The types whose value goes into an HTTP header (`Authorization: Bearer ...`, `x-api-key: ...`). */
const HEADER_BOUND: ReadonlySet<TokenType> = new Set(['bearer', 'api-key']);

/**
 * Refuses a value that could not go into an HTTP header as it is: a line break or another control
 * character (a pasted second line, a trailing CR from a Windows file). The value is never named.
 */
export function requireHeaderSafe(type: TokenType, value: string): void {
  if (!HEADER_BOUND.has(type)) return;
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  const bad = /[\u0000-\u001f\u007f]/.exec(value);
  if (!bad) return;
  const what =
    bad[0] === '\n' || bad[0] === '\r' ? 'a line break' : `a control character (U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()})`;
  throw new CliError(
    `the value holds ${what}; a ${type} token goes into an HTTP header, where it cannot`,
    1,
    'store the value alone, on one line (a multi-line secret can be a generic token: --type generic)',
  );
}
