import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { CliError } from '../errors.js';

/** What the user pasted: the parameters of the authorization response, and whether they came without a `state`. */
export interface PastedResponse {
  params: URLSearchParams;
  /**
   * A bare code, as some servers show on a page instead of redirecting: it carries no `state` (and no
   * `iss`), so those cannot be checked. PKCE still binds it to this login: the token endpoint refuses
   * a code issued for another login's challenge.
   */
  bare: boolean;
}

/** A line that is a code by itself: visible characters without spaces, and not a URL. */
const CODE = /^[\x21-\x7e]{4,}$/;

/**
 * One pasted line as an authorization response: the redirected URL, its query string, a server's
 * `CODE#STATE`, or a bare `CODE`. Undefined for anything else (a stray line, the authorization URL).
 */
export function parsePasted(line: string): PastedResponse | undefined {
  if (URL.canParse(line) && /^[a-z][a-z0-9+.-]*:\/\//i.test(line)) {
    const params = new URL(line).searchParams;
    return params.has('code') || params.has('error') ? { params, bare: false } : undefined;
  }
  if (/(^|[?&])(code|error)=/.test(line)) return { params: new URLSearchParams(line.replace(/^\?/, '')), bare: false };
  if (!CODE.test(line)) return undefined;
  const hash = line.indexOf('#');
  if (hash > 0 && hash < line.length - 1) return { params: new URLSearchParams({ code: line.slice(0, hash), state: line.slice(hash + 1) }), bare: false };
  return { params: new URLSearchParams({ code: line }), bare: true };
}

/**
 * Reads what the user pastes (for SSH and headless machines): the first line that is an
 * authorization response (parsePasted).
 */
export async function readPastedRedirect(stdin: Readable, signal: AbortSignal): Promise<PastedResponse> {
  const lines = createInterface({ input: stdin, crlfDelay: Infinity });
  const onAbort = () => lines.close();
  signal.addEventListener('abort', onAbort);
  try {
    for await (const raw of lines) {
      const pasted = parsePasted(raw.trim());
      if (pasted) return pasted;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    lines.close();
  }
  if (signal.aborted) throw new CliError('login aborted');
  throw new CliError(
    'standard input ended before a redirected URL or a code was pasted',
    1,
    'paste the full URL the browser was sent to (it starts with http://127.0.0.1:), or the code the server shows',
  );
}
