/**
 * A reader that goes away (`mcp-cli --help | head`) ends the output, not the work: the rest of
 * what would be printed is dropped without a word, as `git log | head` ends, and the command
 * finishes what it was doing, so that a file it writes or a token it stores is whole. Once the pipe
 * is closed, Node marks the stream destroyed, and later writes go nowhere. Any other error of the
 * stream is still thrown.
 */
export function dropOutputOnClosedPipe(stream: NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}
