import { CliError } from '../errors.js';
import { escapeLiteral, mayHoldReference, parseTemplate, ReferenceSyntaxError, type Segment } from '../config/references.js';
import { credentialVariable } from '../credential-variables.js';

/**
 * One variable for `mcp-cli exec`: its value is a template (`${TOKEN:...}` and `${VAR}` are
 * expanded), and `origin` says where it was written, for messages (`.env:3`, `--env`).
 */
export interface Assignment {
  name: string;
  template: string;
  origin: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `--env NAME=VALUE`. The message never quotes the argument: it may be a secret typed in the wrong place. */
export function parseEnvOption(argument: string, index: number): Assignment {
  const eq = argument.indexOf('=');
  const name = eq >= 0 ? argument.slice(0, eq) : argument;
  // The argument is never quoted: a token typed in the wrong place looks like a name (ghp_...).
  if (eq < 0) throw new CliError(`--env argument ${index + 1}: expected NAME=VALUE (there is no "=")`, 1, 'e.g. --env API_KEY=${TOKEN:api-key:openai}');
  if (!NAME.test(name)) throw new CliError(`--env argument ${index + 1}: the name before "=" must be letters, digits and _, not starting with a digit`);
  const value = argument.slice(eq + 1);
  if (value.includes('\0')) throw new CliError(`--env ${name}: the value contains a NUL character, which no environment variable can hold`);
  return { name, template: value, origin: '--env' };
}

class EnvFileError extends CliError {
  constructor(file: string, line: number, reason: string) {
    super(`${file}:${line}: ${reason}`, 1, 'lines are NAME=VALUE, optionally after "export "; see docs/run.md#env-files');
  }
}

const DOUBLE_QUOTED_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/**
 * Reads an env file (see docs/run.md#env-files):
 * - `NAME=VALUE` per line, optionally `export NAME=VALUE`; blanks around `=` are ignored;
 * - blank lines, and lines whose first non-blank character is `#`, are skipped;
 * - an unquoted value is the rest of the line, trimmed, up to a `#` that follows a blank (a comment);
 * - a `"double quoted"` value may span lines and knows the escapes \n \r \t \" \\ (any other
 *   backslash stays as written);
 * - a `'single quoted'` value may span lines and is taken literally: no escapes, no references;
 * - after a closing quote only blanks and a `# comment` may follow;
 * - `${TOKEN:ns:name[:field]}`, `${VAR}` and `${VAR:-default}` are expanded in unquoted and double-quoted
 *   values (`$${` is a literal `${`).
 * A later line for the same name wins. Errors name the file and line, never a value.
 */
export function parseEnvFile(text: string, file: string): Assignment[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = source.split(/\r?\n/);
  const out: Assignment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const trimmed = lines[i]!.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^(?:export[ \t]+)?([^=\s]*)[ \t]*=/.exec(trimmed);
    // Nothing of the line is quoted: a token pasted on a line of its own looks like a name.
    if (!match) throw new EnvFileError(file, lineNo, 'expected NAME=VALUE (there is no "=" on this line)');
    const name = match[1]!;
    if (!NAME.test(name)) throw new EnvFileError(file, lineNo, 'the name before "=" must be letters, digits and _, not starting with a digit');
    const rest = trimmed.slice(match[0].length);
    const value = rest.trimStart();
    let template: string;
    if (value.startsWith('"') || value.startsWith("'")) {
      const quoted = readQuoted(lines, i, value, file, name);
      i = quoted.lastLine;
      template = value.startsWith("'") ? escapeLiteral(quoted.value) : quoted.value;
    } else {
      const comment = rest.search(/\s#/);
      template = (comment >= 0 ? rest.slice(0, comment) : rest).trim();
    }
    if (template.includes('\0')) throw new EnvFileError(file, lineNo, `the value of ${name} contains a NUL character, which no environment variable can hold`);
    out.push({ name, template, origin: `${file}:${lineNo}` });
  }
  return out;
}

/** A quoted value starting at `lines[first]` (`start` begins with the quote): its text and the line it ends on. */
function readQuoted(lines: string[], first: number, start: string, file: string, name: string): { value: string; lastLine: number } {
  const quote = start[0]!;
  let value = '';
  let rest = start.slice(1);
  for (let i = first; ;) {
    for (let j = 0; j < rest.length; j++) {
      const c = rest[j]!;
      if (c === quote) {
        if (!/^\s*(#.*)?$/.test(rest.slice(j + 1))) throw new EnvFileError(file, i + 1, `unexpected text after the closing quote of the value of ${name}`);
        return { value, lastLine: i };
      }
      if (quote === '"' && c === '\\' && j + 1 < rest.length) {
        const next = rest[++j]!;
        value += DOUBLE_QUOTED_ESCAPES[next] ?? `\\${next}`;
        continue;
      }
      value += c;
    }
    if (i + 1 >= lines.length)
      throw new EnvFileError(file, first + 1, `the ${quote === '"' ? 'double' : 'single'} quote that opens the value of ${name} is never closed`);
    value += '\n';
    rest = lines[++i]!;
  }
}

/** Segments back into template text that parseTemplate() reads as the same segments. */
function templateOf(segments: Segment[]): string {
  const merged: Segment[] = [];
  for (const s of segments) {
    const last = merged[merged.length - 1];
    if (s.kind === 'text' && last?.kind === 'text') merged[merged.length - 1] = { kind: 'text', text: last.text + s.text };
    else if (s.kind !== 'text' || s.text !== '') merged.push(s);
  }
  return merged
    .map((s, i) => {
      if (s.kind === 'text') return escapeLiteral(s.text, i + 1 < merged.length);
      if (s.kind === 'token') return `\${TOKEN:${s.namespace}:${s.name}${s.field !== undefined ? `:${s.field}` : ''}}`;
      return `\${${s.variable}${s.fallback !== undefined ? `:-${s.fallback}` : ''}}`;
    })
    .join('');
}

/**
 * `${NAME}` (and `${NAME:-default}`) in a value names what an earlier line, env file or `--env` set
 * NAME to, as dotenv users expect (`Y=${X}` after `X="a b"`), and the environment otherwise: a name
 * set only later, or the variable's own name on its first line (`PATH=${PATH}:/opt/bin`). The
 * earlier value is spliced in as its template, so its token references are resolved (and masked)
 * as any other. mcp-cli's own credential variables are never taken from an earlier line: a reference
 * to one stays, and is refused when resolved.
 */
export function expandEarlier(assignments: Assignment[]): Assignment[] {
  const earlier = new Map<string, Segment[]>();
  return assignments.map((assignment) => {
    let segments: Segment[] | undefined;
    try {
      segments = mayHoldReference(assignment.template) ? parseTemplate(assignment.template) : [{ kind: 'text', text: assignment.template }];
    } catch (error) {
      // A malformed reference is reported, with its place, when the values are resolved.
      if (!(error instanceof ReferenceSyntaxError)) throw error;
    }
    if (!segments) return assignment;
    let changed = false;
    const spliced = segments.flatMap((s): Segment[] => {
      const value = s.kind === 'env' && !credentialVariable(s.variable) ? earlier.get(s.variable) : undefined;
      if (value === undefined) return [s];
      changed = true;
      const empty = value.every((v) => v.kind === 'text' && v.text === '');
      return empty && s.kind === 'env' && s.fallback !== undefined ? [{ kind: 'text', text: s.fallback }] : value;
    });
    earlier.set(assignment.name, spliced);
    return changed ? { ...assignment, template: templateOf(spliced) } : assignment;
  });
}
