import { spellings } from './spellings.js';

/**
 * `credential`: a stored secret or an OAuth access token; a piece of it at the edge of a text is masked too.
 * `variable`: the value of a `${VAR}` reference, often ordinary text (a URL, a name): masked only whole.
 */
export type SecretKind = 'credential' | 'variable';

/** `${VAR}` values shorter than this are not masked: they occur in ordinary output by chance. */
export const MIN_VARIABLE_LENGTH = 8;
/** A beginning or an end of a credential this long (characters in text, bytes in a stream), at the edge of a text, is masked. */
export const MIN_PIECE = 8;

/** One spelling of one secret, as masking looks for it. */
export interface Pattern {
  text: string;
  /** Its UTF-8 bytes, for byte streams and raw lines. */
  bytes: Buffer;
  /** Whether a piece of it (MIN_PIECE or more at the edge of a text) is masked too. */
  pieces: boolean;
}

export interface Patterns {
  /** Longest first. */
  list: readonly Pattern[];
  /**
   * Texts of which a text holds at least one when it holds a pattern, a piece that is masked, or the two
   * parts of a pattern cut once (the first and last characters of each pattern, at most MIN_PIECE of them).
   */
  textNeedles: readonly string[];
  /** The same in bytes. */
  byteNeedles: readonly Buffer[];
}

const EMPTY: Patterns = { list: [], textNeedles: [], byteNeedles: [] };

/**
 * The secrets of one connection, whose every spelling is masked in what its server sends back. It grows
 * while the connection lives (each OAuth access token joins before it is sent): one per connection,
 * handed to what masks, never a global one.
 */
export class SecretSet {
  private readonly kinds = new Map<string, SecretKind>();
  private compiled: Patterns = EMPTY;
  private stale = false;

  constructor(credentials: Iterable<string> = [], variables: Iterable<string> = []) {
    for (const value of credentials) this.add(value);
    for (const value of variables) this.add(value, 'variable');
  }

  /** Adds a secret; an empty one, or a variable shorter than MIN_VARIABLE_LENGTH, is left out. A credential stays one. */
  add(value: string, kind: SecretKind = 'credential'): void {
    if (value === '' || (kind === 'variable' && value.length < MIN_VARIABLE_LENGTH)) return;
    const known = this.kinds.get(value);
    if (known === kind || known === 'credential') return;
    this.kinds.set(value, kind);
    this.stale = true;
  }

  get active(): boolean {
    return this.kinds.size > 0;
  }

  patterns(): Patterns {
    if (this.stale) {
      this.compiled = compile(this.kinds);
      this.stale = false;
    }
    return this.compiled;
  }
}

/** How much of each end of a pattern the needles hold: a piece that is masked holds that much, and so does one of the two parts of a pattern cut once. */
const needleLength = (length: number) => Math.min(MIN_PIECE, Math.ceil(length / 2));
const textEnds = (text: string) => [text.slice(0, needleLength(text.length)), text.slice(text.length - needleLength(text.length))];
const byteEnds = (bytes: Buffer) => [bytes.subarray(0, needleLength(bytes.length)), bytes.subarray(bytes.length - needleLength(bytes.length))];

function compile(kinds: Map<string, SecretKind>): Patterns {
  const pieces = new Map<string, boolean>();
  for (const [value, kind] of kinds) for (const text of spellings(value)) pieces.set(text, pieces.get(text) === true || kind === 'credential');
  const list = [...pieces].map(([text, cut]) => ({ text, bytes: Buffer.from(text, 'utf8'), pieces: cut })).sort((a, b) => b.text.length - a.text.length);
  const textNeedles = new Set(list.flatMap((p) => textEnds(p.text)));
  const byteNeedles = new Map(list.flatMap((p) => byteEnds(p.bytes)).map((b) => [b.toString('latin1'), b]));
  return { list, textNeedles: [...textNeedles], byteNeedles: [...byteNeedles.values()] };
}
