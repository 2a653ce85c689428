import type { Readable } from 'node:stream';

/**
 * Reads newline-delimited messages: `onLine` gets each line without its `\n` (or `\r\n`), blank
 * lines skipped; a last line without a newline counts too. `onEnd` runs once the stream ends or
 * fails. Returns a function that stops reading (and lets the process exit).
 */
export function readLines(stream: Readable, onLine: (line: Buffer) => void, onEnd: () => void): () => void {
  let pending: Buffer[] = [];
  let ended = false;
  const emit = (line: Buffer) => {
    const body = line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line;
    if (!body.every((c) => c === 0x20 || c === 0x09)) onLine(body);
  };
  const onData = (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      emit(pending.length > 0 ? Buffer.concat([...pending, piece]) : piece);
      pending = [];
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  };
  const finish = () => {
    if (ended) return;
    ended = true;
    if (pending.length > 0) emit(Buffer.concat(pending));
    pending = [];
    onEnd();
  };
  stream.on('data', onData);
  stream.once('end', finish);
  stream.once('error', finish);
  stream.once('close', finish);
  return () => {
    stream.off('data', onData);
    ended = true;
    stream.destroy();
  };
}
