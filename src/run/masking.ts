import { Transform } from 'node:stream';
import { maskSecrets } from '../mcp/mask.js';

/**
 * Masks the resolved secrets of one server in what goes to an MCP client: JSON-RPC messages
 * (every string inside them, keys included), and lines of text.
 */
export interface Masker {
  /** Whether there is anything to mask at all. */
  readonly active: boolean;
  text(text: string): string;
  /** The value with every string masked; the same value (not a copy) when nothing changed. */
  json<T>(value: T): T;
  /** One line of newline-delimited JSON-RPC (without its line break): the same bytes when nothing changed. */
  line(line: Buffer): Buffer;
}

const BACKSLASH = 0x5c;

export function createMasker(secrets: readonly string[], enabled = true): Masker {
  const list = enabled ? [...new Set(secrets)].filter((s) => s !== '').sort((a, b) => b.length - a.length) : [];
  const bytes = list.map((s) => Buffer.from(s, 'utf8'));
  const text = (value: string) => (list.some((s) => value.includes(s)) ? maskSecrets(value, list) : value);
  const json = <T>(value: T): T => maskValue(value, text) as T;
  return {
    active: list.length > 0,
    text,
    json,
    line(line) {
      if (list.length === 0) return line;
      // Without a backslash, every JSON string holds its characters literally, so a secret that is
      // not among the bytes is in no string: the common case costs no parsing.
      if (!line.includes(BACKSLASH) && !bytes.some((b) => line.includes(b))) return line;
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
      return masked === message ? line : Buffer.from(JSON.stringify(masked), 'utf8');
    },
  };
}

function maskValue(value: unknown, text: (s: string) => string): unknown {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const masked = maskValue(item, text);
      if (masked !== item) (out ??= [...value])[i] = masked;
    });
    return out ?? value;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const entries = Object.entries(value).map(([key, item]) => {
      const k = text(key);
      const v = maskValue(item, text);
      if (k !== key || v !== item) changed = true;
      return [k, v] as const;
    });
    return changed ? Object.fromEntries(entries) : value;
  }
  return value;
}

/** A line longer than this is masked as text in pieces instead of being held whole. */
const MAX_LINE = 64 * 1024 * 1024;

/**
 * Relays newline-delimited JSON-RPC with each message masked; lines that hold no secret pass as the
 * very same bytes. A line is held until its newline arrives, so a secret split across chunks is caught.
 */
export function maskingLineStream(masker: Masker): Transform {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
        const held = pendingLength > 0;
        const line = held ? Buffer.concat([...pending, chunk.subarray(start, nl)]) : chunk.subarray(start, nl);
        pending = [];
        pendingLength = 0;
        const cr = line.length > 0 && line[line.length - 1] === 0x0d;
        const body = cr ? line.subarray(0, -1) : line;
        const masked = masker.line(body);
        if (masked !== body) this.push(Buffer.concat([masked, cr ? CRLF : NEWLINE]));
        else this.push(held ? Buffer.concat([line, NEWLINE]) : chunk.subarray(start, nl + 1));
        start = nl + 1;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingLength += chunk.length - start;
        if (pendingLength > MAX_LINE) {
          this.push(Buffer.from(masker.text(Buffer.concat(pending).toString('utf8')), 'utf8'));
          pending = [];
          pendingLength = 0;
        }
      }
      done();
    },
    flush(done) {
      if (pendingLength > 0) {
        const rest = Buffer.concat(pending);
        this.push(masker.line(rest));
      }
      done();
    },
  });
}

const NEWLINE = Buffer.from('\n');
const CRLF = Buffer.from('\r\n');
