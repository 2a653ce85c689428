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

/**
 * How deep objects and arrays may nest in a file mcp-cli reads (a config, a client's file). No real
 * one comes near; the limit keeps every walk over the data (the trust summary, validation, the
 * secret scan) far from the end of the stack.
 */
export const MAX_JSON_DEPTH = 100;

export const TOO_DEEP = `objects and arrays nested more than ${MAX_JSON_DEPTH} deep (mcp-cli reads at most ${MAX_JSON_DEPTH} levels)`;

/**
 * Where the text opens level MAX_JSON_DEPTH + 1 of objects and arrays, found without parsing
 * (strings and JSONC comments skipped), so that no recursive parser or walk ever meets such a file.
 */
export function tooDeepAt(text: string): { line: number; column: number } | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '{' || c === '[') {
      if (++depth > MAX_JSON_DEPTH) return position(text, i);
    } else if (c === '}' || c === ']') depth--;
  }
  return undefined;
}

/**
 * Whether parsed data (YAML's) nests objects and arrays deeper than MAX_JSON_DEPTH, or holds itself
 * (a YAML alias inside its own anchor: endlessly deep). Walked without recursion.
 */
export function nestedTooDeep(data: unknown): boolean {
  const onPath = new Set<object>();
  const frames: { node: object; children: unknown[] }[] = [];
  const enter = (value: unknown): boolean => {
    if (typeof value !== 'object' || value === null) return false;
    if (onPath.has(value) || frames.length >= MAX_JSON_DEPTH) return true;
    onPath.add(value);
    frames.push({ node: value, children: Object.values(value) });
    return false;
  };
  if (enter(data)) return true;
  while (frames.length > 0) {
    const top = frames[frames.length - 1]!;
    if (top.children.length > 0) {
      if (enter(top.children.pop())) return true;
    } else {
      onPath.delete(top.node);
      frames.pop();
    }
  }
  return false;
}

/** Parses JSON, reporting a syntax error with the file, line and column, and a nesting past MAX_JSON_DEPTH as such. */
export function parseJsonText(text: string, label: string): unknown {
  if (text.trim() === '') throw new CliError(`${label}: the file is empty (a config is a JSON object such as {"mcpServers": {}})`);
  const deep = tooDeepAt(text);
  if (deep) throw new CliError(`${label}:${deep.line}:${deep.column}: ${TOO_DEEP}`);
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
