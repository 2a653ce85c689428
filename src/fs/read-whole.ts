import { readSync } from 'node:fs';

/** The first `size` bytes of an open file (fewer if it shrank meanwhile), read with positioned reads. */
export function readWhole(fd: number, size: number): Buffer {
  const buffer = Buffer.alloc(size);
  let read = 0;
  while (read < size) {
    const n = readSync(fd, buffer, read, size - read, read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read);
}
