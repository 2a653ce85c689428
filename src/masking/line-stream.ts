import { Transform } from 'node:stream';
import { ByteMasker } from './byte-stream.js';
import type { Masker } from './masker.js';

/** A line longer than this is masked as bytes, as they come, instead of being held whole. */
export const MAX_LINE = 64 * 1024 * 1024;

const NEWLINE = Buffer.from('\n');
const CRLF = Buffer.from('\r\n');

/**
 * Relays newline-delimited JSON-RPC with each message masked; lines that hold no secret pass as the
 * very same bytes. A line is held until its newline arrives, so a secret split across chunks is caught.
 */
export function maskingLineStream(masker: Masker, maxLine = MAX_LINE): Transform {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  // Past maxLine, the rest of the line goes through a byte masker.
  let overlong: ByteMasker | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
        if (overlong) {
          this.push(Buffer.concat([overlong.write(chunk.subarray(start, nl)), overlong.end(), NEWLINE]));
          overlong = undefined;
          start = nl + 1;
          continue;
        }
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
        const rest = chunk.subarray(start);
        if (overlong) this.push(overlong.write(rest));
        else {
          pending.push(rest);
          pendingLength += rest.length;
          if (pendingLength > maxLine) {
            overlong = new ByteMasker(masker.secrets);
            this.push(overlong.write(Buffer.concat(pending)));
            pending = [];
            pendingLength = 0;
          }
        }
      }
      done();
    },
    flush(done) {
      if (overlong) this.push(overlong.end());
      else if (pendingLength > 0) this.push(masker.line(Buffer.concat(pending)));
      done();
    },
  });
}
