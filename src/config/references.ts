import { CliError } from '../errors.js';

/**
 * The template language of server_config.json strings:
 *   ${TOKEN:namespace:name}        a stored token's value
 *   ${TOKEN:namespace:name:field}  one field of it (password, username, basic, ...)
 *   ${VAR} / ${VAR:-default}       an environment variable, as in Claude Code's .mcp.json
 *   $${                            a literal "${" (before a "{", each "$$" is one literal "$")
 * Any other "$" is literal, so `pa$$word` and `$HOME` stay as written. Parsing is pure: nothing here reads a store or the environment.
 */

export interface TokenReference {
  kind: 'token';
  namespace: string;
  name: string;
  field?: string;
}

export interface EnvReference {
  kind: 'env';
  variable: string;
  /** The text after `:-`, used when the variable is unset or empty. */
  fallback?: string;
}

export type Reference = TokenReference | EnvReference;
export type Segment = { kind: 'text'; text: string } | Reference;

export class ReferenceSyntaxError extends CliError {
  constructor(
    /** What is wrong, without quoting anything that could be a secret. */
    readonly reason: string,
    /** 0-based offset of the `${` that starts the bad reference. */
    readonly offset: number,
  ) {
    super(`malformed reference at character ${offset + 1}: ${reason}`);
  }
}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The same characters validateIdentifier() forbids in token names and namespaces, plus empty parts.
const PART = /^[^/\\:{}$\s\p{Cc}\p{Cf}]{1,128}$/u;
const FIELD = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Text for messages: a token reference in full (names are not secret), a variable without its default. */
export function describeReference(ref: Reference): string {
  if (ref.kind === 'env') return `\${${ref.variable}}`;
  return `\${TOKEN:${ref.namespace}:${ref.name}${ref.field !== undefined ? `:${ref.field}` : ''}}`;
}

function parseInner(inner: string, offset: number): Reference {
  if (inner.startsWith('TOKEN:') && !inner.startsWith('TOKEN:-')) {
    const parts = inner.slice('TOKEN:'.length).split(':');
    if (parts.length < 2 || parts.length > 3)
      throw new ReferenceSyntaxError('a token reference is ${TOKEN:namespace:name} or ${TOKEN:namespace:name:field}', offset);
    const [namespace, name, field] = parts as [string, string, string | undefined];
    if (!PART.test(namespace)) throw new ReferenceSyntaxError('the namespace of a token reference is empty or has a character names cannot contain', offset);
    if (!PART.test(name))
      throw new ReferenceSyntaxError(`the token name in \${TOKEN:${namespace}:...} is empty or has a character names cannot contain`, offset);
    if (field !== undefined && !FIELD.test(field))
      throw new ReferenceSyntaxError(`the field in \${TOKEN:${namespace}:${name}:...} must be a word such as password, username or basic`, offset);
    return field === undefined ? { kind: 'token', namespace, name } : { kind: 'token', namespace, name, field };
  }
  const dash = inner.indexOf(':-');
  const variable = dash >= 0 ? inner.slice(0, dash) : inner;
  if (!VARIABLE.test(variable))
    throw new ReferenceSyntaxError('expected ${TOKEN:namespace:name}, ${VARIABLE} or ${VARIABLE:-default} (write $${ for a literal ${)', offset);
  return dash >= 0 ? { kind: 'env', variable, fallback: inner.slice(dash + 2) } : { kind: 'env', variable };
}

/** Splits a string into literal text and references; throws ReferenceSyntaxError on a malformed one. */
export function parseTemplate(input: string): Segment[] {
  const segments: Segment[] = [];
  let text = '';
  let i = 0;
  while (i < input.length) {
    const dollars = input[i] === '$' ? /^\$+/.exec(input.slice(i))![0].length : 0;
    if (dollars === 0 || input[i + dollars] !== '{') {
      text += dollars === 0 ? input[i] : '$'.repeat(dollars);
      i += Math.max(dollars, 1);
      continue;
    }
    // Before a "{", each "$$" is one literal "$"; an odd "$" left over starts a reference.
    text += '$'.repeat(Math.floor(dollars / 2));
    if (dollars % 2 === 0) {
      text += '{';
      i += dollars + 1;
      continue;
    }
    const start = i + dollars - 1;
    const end = input.indexOf('}', start + 2);
    if (end < 0) throw new ReferenceSyntaxError('"${" without a closing "}" (write $${ for a literal ${)', start);
    const reference = parseInner(input.slice(start + 2, end), start);
    if (text) segments.push({ kind: 'text', text });
    text = '';
    segments.push(reference);
    i = end + 1;
  }
  if (text) segments.push({ kind: 'text', text });
  return segments;
}

/**
 * Writes literal text so that parseTemplate() gives it back unchanged. Text that a
 * reference will follow also doubles its trailing dollars, which would otherwise join the reference's "$".
 */
export function escapeLiteral(text: string, followedByReference = false): string {
  const escaped = text.replace(/\$+(?=\{)/g, (run) => run + run);
  return followedByReference ? escaped.replace(/\$+$/, (run) => run + run) : escaped;
}

/** Whether a string needs parsing at all: the common case, a plain literal, skips the parser. */
export function mayHoldReference(input: string): boolean {
  return input.includes('$');
}

/** Joins segments, replacing each reference by what `value` gives for it. */
export function renderSegments(segments: Segment[], value: (ref: Reference) => string): string {
  let out = '';
  for (const s of segments) out += s.kind === 'text' ? s.text : value(s);
  return out;
}
