import { isIP } from 'node:net';
import { CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';

type Fetch = typeof fetch;

/** 127.0.0.0/8, ::1 and localhost (not *.localhost, which some resolvers send to DNS): the only hosts OAuth may reach over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Shown in messages: the URL without query or fragment (which may carry a state or a code), safe for a terminal. */
export function urlForMessage(url: URL | string): string {
  try {
    const u = new URL(String(url));
    return printable(`${u.protocol}//${u.host}${u.pathname}`);
  } catch {
    return printable(String(url).slice(0, 200));
  }
}

/**
 * Only `https:` URLs, and `http:` on loopback, are contacted for OAuth or opened in a browser:
 * a `file:` or `ssh:` endpoint, or plain http across a network, is refused with one line.
 */
export function checkOAuthUrl(url: URL | string, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new CliError(`refusing the ${what} ${urlForMessage(url)}: it is not a URL`);
  }
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname))) return parsed;
  const why = parsed.protocol === 'http:' ? 'OAuth over plain http is accepted only on this machine (127.0.0.1, localhost)' : 'OAuth uses only https: URLs';
  throw new CliError(`refusing the ${what} ${urlForMessage(parsed)}: ${why}`);
}

/** A fetch for every OAuth request (discovery, registration, token, revocation) that refuses any other URL before connecting. */
export function policedFetch(base: Fetch = fetch): Fetch {
  return (input, init) => {
    checkOAuthUrl(input instanceof Request ? input.url : String(input), 'OAuth URL');
    return base(input, init);
  };
}
