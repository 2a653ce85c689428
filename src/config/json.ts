import { CliError } from '../errors.js';

/** Line and column (1-based) of a character offset. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function failsBefore(text: string, length: number): boolean {
  try {
    JSON.parse(text.slice(0, length));
    return false;
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    return !/end of (JSON )?input/i.test(message) && !(at && Number(at[1]) >= length);
  }
}

/**
 * Node 20's V8 names no position for an unexpected token. The shortest prefix that
 * fails for a reason other than ending early ends with the offending character.
 */
function offendingOffset(text: string): number {
  let low = 1;
  let high = text.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (failsBefore(text, mid)) high = mid;
    else low = mid + 1;
  }
  return low - 1;
}

/** Parses JSON, reporting a syntax error with the file, line and column. */
export function parseJsonText(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const where = at
      ? position(text, Number(at[1]))
      : text.trim() === ''
        ? { line: 1, column: 1 }
        : position(text, /^Unexpected token/.test(message) ? offendingOffset(text) : text.length);
    // V8's own message quotes part of the text, which may hold a secret: say only what kind of error it is.
    const reason = /end of (JSON )?input/i.test(message) || (at && Number(at[1]) >= text.length) ? 'unexpected end of input' : 'unexpected character';
    throw new CliError(`${label}:${where.line}:${where.column}: invalid JSON: ${reason}`);
  }
}
