import type { Readable } from 'node:stream';

/** Reads all of a stream (piped standard input), up to `limit` bytes. */
export async function readAll(stream: Readable, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limit) throw new Error(`standard input is larger than ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A value read from a pipe loses one trailing newline (`echo` adds it), nothing else. */
export function stripFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}
