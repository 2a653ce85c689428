import { readFile } from 'node:fs/promises';
import { CliError } from '../errors.js';

/** Line and column (1-based) of a character offset. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Parses JSON, reporting a syntax error with the file, line and column. */
export function parseJsonText(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const where = at ? position(text, Number(at[1])) : text.trim() === '' ? { line: 1, column: 1 } : position(text, text.length);
    // V8's own message quotes part of the text, which may hold a secret: say only what kind of error it is.
    const reason = /end of (JSON )?input/i.test(message) ? 'unexpected end of input' : 'unexpected character';
    throw new CliError(`${label}:${where.line}:${where.column}: invalid JSON: ${reason}`);
  }
}

export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseJsonText(text, path);
}
