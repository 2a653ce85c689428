import type { Io } from '../context.js';
import { asCliError } from '../commands/shared/store-errors.js';
import { ExitCode } from '../errors.js';
import { colorEnabled, createStyle } from '../io/style.js';
import { printable } from '../io/terminal-text.js';

/** A message that always says something, and never drives the terminal (it may quote a server or a file). */
function said(message: unknown, fallback: string): string {
  return typeof message === 'string' && message.trim() !== '' ? printable(message) : fallback;
}

/** Turns an error that ended a command into its message on stderr, and returns the exit code. */
export function reportError(error: unknown, io: Pick<Io, 'stderr' | 'env' | 'tty'>): number {
  const { stderr } = io;
  const style = createStyle(colorEnabled(io.env, io.tty.stderr));
  const known = asCliError(error);
  if (known) {
    stderr.write(`${style.red('error:')} ${said(known.message, 'the command failed')}\n`);
    if (known.hint) stderr.write(`hint: ${printable(known.hint)}\n`);
    return known.exitCode;
  }
  const err = error as Error | undefined;
  stderr.write(`${style.red('error:')} ${said(err?.message, `unexpected ${err?.name ?? 'error'} without a message`)}\n`);
  if (io.env.MCP_CLI_DEBUG) stderr.write(`${err?.stack}\n`);
  return ExitCode.failure;
}
