import { Transform } from 'node:stream';
import { REDACTED } from '../mcp/mask.js';

const REDACTED_BYTES = Buffer.from(REDACTED, 'utf8');

/**
 * How long bytes that may be the start of a secret are held back when nothing follows them: a prompt
 * ending in such bytes still shows. Only a secret written in two pieces this far apart gets through.
 */
export const HOLD_MS = 100;

interface Scan {
  /** The masked bytes that can go out now. */
  out: Buffer[];
  /** Where the bytes that must wait for more input begin. */
  hold: number;
}

/**
 * Finds the secrets in `data`, earliest first (the longest at the same offset). At the end, bytes
 * that could still become a secret once more input arrives are held back; with `final`, nothing is.
 */
function scan(data: Buffer, secrets: Buffer[], final: boolean): Scan {
  const out: Buffer[] = [];
  let from = 0;
  for (;;) {
    let at = -1;
    let length = 0;
    for (const secret of secrets) {
      const i = data.indexOf(secret, from);
      if (i >= 0 && (at < 0 || i < at || (i === at && secret.length > length))) {
        at = i;
        length = secret.length;
      }
    }
    if (!final) {
      // A longer secret that starts where the match starts (or earlier) and runs past the end may still complete.
      const partial = partialStart(data, secrets, from, at < 0 ? data.length : at + length);
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

/** The earliest offset in [from, before) at which the rest of `data` is a proper prefix of some secret. */
function partialStart(data: Buffer, secrets: Buffer[], from: number, before: number): number | undefined {
  let earliest: number | undefined;
  for (const secret of secrets) {
    const start = Math.max(from, data.length - secret.length + 1);
    for (let i = start; i < data.length && i < before; i++) {
      if (earliest !== undefined && i >= earliest) break;
      if (secret.subarray(0, data.length - i).equals(data.subarray(i))) {
        earliest = i;
        break;
      }
    }
  }
  return earliest;
}

/**
 * Relays bytes with every secret replaced by `<redacted>`, as `op run` does for a program's output.
 * Bytes pass through unchanged otherwise (binary output included), as soon as they arrive, except a
 * tail that could be the beginning of a secret, held until the next chunk or HOLD_MS.
 */
export function maskingByteStream(secrets: readonly string[]): Transform {
  const list = [...new Set(secrets)].filter((s) => s !== '').map((s) => Buffer.from(s, 'utf8'));
  let held: Buffer = Buffer.alloc(0);
  let timer: NodeJS.Timeout | undefined;
  const stream: Transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      clearTimeout(timer);
      const data = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
      const { out, hold } = scan(data, list, false);
      held = Buffer.from(data.subarray(hold));
      const ready = Buffer.concat(out);
      if (ready.length > 0) this.push(ready);
      if (held.length > 0) {
        timer = setTimeout(() => {
          const rest = Buffer.concat(scan(held, list, true).out);
          held = Buffer.alloc(0);
          stream.push(rest);
        }, HOLD_MS);
        timer.unref();
      }
      done();
    },
    flush(done) {
      clearTimeout(timer);
      if (held.length > 0) this.push(Buffer.concat(scan(held, list, true).out));
      held = Buffer.alloc(0);
      done();
    },
  });
  return stream;
}
