import { Transform } from 'node:stream';
import { REDACTED } from './find.js';
import { MIN_PIECE, type Pattern, type SecretSet } from './secret-set.js';

const REDACTED_BYTES = Buffer.from(REDACTED, 'utf8');

interface Scan {
  /** The masked bytes that can go out now. */
  out: Buffer[];
  /** Where the bytes that must wait for more input begin. */
  hold: number;
}

/**
 * Finds the patterns in `data`, earliest first (the longest at the same offset). At the end, bytes that
 * could still become a pattern once more input arrives are held back; with `final`, nothing is.
 */
function scan(data: Buffer, list: readonly Pattern[], final: boolean): Scan {
  const out: Buffer[] = [];
  let from = 0;
  for (;;) {
    let at = -1;
    let length = 0;
    for (const { bytes } of list) {
      const i = data.indexOf(bytes, from);
      if (i >= 0 && (at < 0 || i < at || (i === at && bytes.length > length))) {
        at = i;
        length = bytes.length;
      }
    }
    if (!final) {
      // A longer pattern that starts where the match starts (or earlier) and runs past the end may still complete.
      const partial = openEnd(data, list, from, at < 0 ? data.length : at + length);
      if (partial !== undefined && (at < 0 || partial <= at)) {
        out.push(data.subarray(from, partial));
        return { out, hold: partial };
      }
    }
    if (at < 0) break;
    out.push(data.subarray(from, at), REDACTED_BYTES);
    from = at + length;
  }
  out.push(data.subarray(from));
  return { out, hold: data.length };
}

/**
 * The earliest offset in [from, before) from which the rest of `data` is a proper beginning of some
 * pattern (of a credential, at least `min` bytes long, with `min`).
 */
function openEnd(data: Buffer, list: readonly Pattern[], from: number, before: number, min = 1): number | undefined {
  let earliest: number | undefined;
  for (const { bytes, pieces } of list) {
    if (min > 1 && !pieces) continue;
    const limit = Math.min(before, data.length - min + 1, earliest ?? Infinity);
    for (let i = data.indexOf(bytes[0]!, Math.max(from, data.length - bytes.length + 1)); i >= 0 && i < limit; i = data.indexOf(bytes[0]!, i + 1)) {
      if (bytes.subarray(0, data.length - i).equals(data.subarray(i))) {
        earliest = i;
        break;
      }
    }
  }
  return earliest;
}

/**
 * Masks a stream of bytes as it passes: every spelling of every secret is replaced by `<redacted>`,
 * and nothing else changes (binary output included). A tail that could be the beginning of a secret is
 * held until the bytes that follow show whether it is one, however long that takes: no secret goes out
 * whole, however it is cut into writes and whatever the pauses between them. What is held is at most
 * the longest secret's length less one byte; at the end it goes out, with a beginning of a credential
 * of MIN_PIECE bytes or more masked.
 */
export class ByteMasker {
  private held: Buffer = Buffer.alloc(0);

  constructor(private readonly secrets: SecretSet) {}

  /** What can go out now of what has come so far: `chunk` itself when nothing was held or changed. */
  write(chunk: Buffer): Buffer {
    const { list } = this.secrets.patterns();
    const data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    if (list.length === 0) {
      this.held = Buffer.alloc(0);
      return data;
    }
    const { out, hold } = scan(data, list, false);
    this.held = Buffer.from(data.subarray(hold));
    return out.length === 1 && out[0]!.length === data.length ? data : Buffer.concat(out);
  }

  /** The rest, at the end of the output. */
  end(): Buffer {
    const data = this.held;
    this.held = Buffer.alloc(0);
    const { list } = this.secrets.patterns();
    const piece = openEnd(data, list, 0, data.length, MIN_PIECE);
    const rest = Buffer.concat(scan(piece === undefined ? data : data.subarray(0, piece), list, true).out);
    return piece === undefined ? rest : Buffer.concat([rest, REDACTED_BYTES]);
  }
}

/** A ByteMasker as a stream (exec's output, a server's stderr). */
export function maskingByteStream(secrets: SecretSet): Transform {
  const masker = new ByteMasker(secrets);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const out = masker.write(chunk);
      done(null, out.length > 0 ? out : undefined);
    },
    flush(done) {
      const rest = masker.end();
      done(null, rest.length > 0 ? rest : undefined);
    },
  });
}
