import { Transform } from 'node:stream';

export const REDACTED = '<redacted>';

/** Replaces every occurrence of every secret, longest first so that a secret inside another goes too. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].filter((s) => s !== '').sort((a, b) => b.length - a.length)) out = out.replaceAll(secret, REDACTED);
  return out;
}

const MAX_LINE = 1 << 20;

/**
 * Relays text with secrets masked, as `op run` does for a child's output. Whole lines
 * are masked at once, so a secret split across two chunks is still caught.
 */
export function maskingStream(secrets: readonly string[]): Transform {
  let pending = '';
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      pending += chunk.toString('utf8');
      const cut = pending.length > MAX_LINE ? pending.length : pending.lastIndexOf('\n') + 1;
      if (cut > 0) {
        this.push(maskSecrets(pending.slice(0, cut), secrets));
        pending = pending.slice(cut);
      }
      done();
    },
    flush(done) {
      if (pending) this.push(maskSecrets(pending, secrets));
      done();
    },
  });
}
