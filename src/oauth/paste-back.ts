import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { CliError } from '../errors.js';

/**
 * Reads the redirected URL that the user pastes (for SSH and headless machines):
 * the first line that parses as a URL carrying `code` or `error`.
 */
export async function readPastedRedirect(stdin: Readable, signal: AbortSignal): Promise<URLSearchParams> {
  const lines = createInterface({ input: stdin, crlfDelay: Infinity });
  const onAbort = () => lines.close();
  signal.addEventListener('abort', onAbort);
  try {
    for await (const raw of lines) {
      const line = raw.trim();
      if (!line) continue;
      try {
        const params = new URL(line).searchParams;
        if (params.has('code') || params.has('error')) return params;
      } catch {
        // not a URL: keep reading
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    lines.close();
  }
  if (signal.aborted) throw new CliError('login aborted');
  throw new CliError(
    'standard input ended before a redirected URL was pasted',
    1,
    'paste the full URL the browser was sent to (it starts with http://127.0.0.1:)',
  );
}
