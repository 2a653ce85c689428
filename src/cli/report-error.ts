import { CliError, ExitCode } from '../errors.js';
import { colorEnabled, createStyle } from '../io/style.js';

/** Turns an error that ended a command into its message on stderr, and returns the exit code. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream): number {
  if (error instanceof CliError) {
    const style = createStyle(colorEnabled(process.env, !!process.stderr.isTTY));
    stderr.write(`${style.red('error:')} ${error.message}\n`);
    if (error.hint) stderr.write(`hint: ${error.hint}\n`);
    return error.exitCode;
  }
  stderr.write(`error: ${(error as Error).message ?? String(error)}\n`);
  if (process.env.MCP_CLI_DEBUG) stderr.write(`${(error as Error).stack}\n`);
  return ExitCode.failure;
}
