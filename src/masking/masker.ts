import { maskText, mayHold, occurrences, pieces, redact, type Range } from './find.js';
import { mapJson, stringify, unescapeJson } from './json.js';
import type { Patterns, SecretSet } from './secret-set.js';

/**
 * Masks the secrets of one connection in what goes to an MCP client or a terminal: JSON-RPC messages
 * (every string inside them, keys and numbers included), lines of newline-delimited JSON, and text.
 */
export interface Masker {
  /** Whether there is anything to mask at all (now: the set may grow). */
  readonly active: boolean;
  /** The set it masks, which masking stays on for where it must (stderr, errors) whatever `enabled` said. */
  readonly secrets: SecretSet;
  text(text: string): string;
  /** The value with every string masked; the same value (not a copy) when nothing changed. */
  json<T>(value: T): T;
  /** One line of newline-delimited JSON-RPC (without its line break): the same bytes when nothing changed. */
  line(line: Buffer): Buffer;
  /** The JSON text of the value, masked; at any depth. */
  serialize(value: unknown): string;
}

const BACKSLASH = 0x5c;
/** The strings of a message that are one text cut into items (content items, resource contents): masked as one. */
const TEXT_KEY = 'text';

/** The text items of a message, masked as one text: a secret cut across two of them is masked in both. */
function maskItems(items: string[], patterns: Patterns): string[] {
  const joined = items.join('');
  if (!mayHold(joined, patterns)) return items;
  const found = occurrences(joined, patterns.list);
  let offset = 0;
  return items.map((item) => {
    const start = offset;
    offset += item.length;
    const own: Range[] = found.filter(([s, e]) => s < offset && e > start).map(([s, e]) => [Math.max(s, start) - start, Math.min(e, offset) - start] as const);
    return redact(item, [...own, ...pieces(item, patterns.list)]);
  });
}

function maskValue(value: unknown, patterns: Patterns): unknown {
  const items: string[] = [];
  let suspect = false;
  const look = (text: string) => (suspect ||= mayHold(text, patterns));
  mapJson(
    value,
    (leaf, key) => {
      if (key === TEXT_KEY && typeof leaf === 'string') items.push(leaf);
      else look(String(leaf));
      return leaf;
    },
    (key) => (look(key), key),
  );
  const masked = maskItems(items, patterns);
  if (!suspect && masked === items) return value;
  let next = 0;
  return mapJson(
    value,
    (leaf, key) => {
      if (key === TEXT_KEY && typeof leaf === 'string') return masked[next++];
      const text = String(leaf);
      const out = maskText(text, patterns);
      // A number that spells a secret (a PIN) becomes the masked string.
      return out === text ? leaf : out;
    },
    (key) => maskText(key, patterns),
  );
}

export function createMasker(secrets: SecretSet, enabled = true): Masker {
  const patterns = () => (enabled && secrets.active ? secrets.patterns() : undefined);
  const text = (value: string) => {
    const p = patterns();
    return p ? maskText(value, p) : value;
  };
  const json = <T>(value: T): T => {
    const p = patterns();
    return p ? (maskValue(value, p) as T) : value;
  };
  const serialize = (value: unknown) => stringify(json(value));
  return {
    get active() {
      return patterns() !== undefined;
    },
    secrets,
    text,
    json,
    serialize,
    line(line) {
      const p = patterns();
      if (!p) return line;
      // Without a needle among the bytes, no string holds a secret, a piece or a secret cut across items,
      // unless escapes spell it: the common case costs no parsing.
      const escaped = line.includes(BACKSLASH);
      if (!p.byteNeedles.some((n) => line.includes(n)) && !(escaped && mayHold(unescapeJson(line.toString('utf8')), p))) return line;
      const source = line.toString('utf8');
      let message: unknown;
      try {
        message = JSON.parse(source);
      } catch {
        // Not JSON (a server writing stray text on stdout): masked as text.
        const masked = text(source);
        return masked === source ? line : Buffer.from(masked, 'utf8');
      }
      const masked = json(message);
      if (masked !== message) return Buffer.from(stringify(masked), 'utf8');
      // Nothing to mask in the parsed message, yet a secret is in its text: a value that a duplicate key
      // hides from this parser, which a parser that keeps the first value would take. Written without it.
      const literal = escaped ? unescapeJson(source) : source;
      return occurrences(literal, p.list).length > 0 ? Buffer.from(stringify(message), 'utf8') : line;
    },
  };
}
