import type { Readable, Writable } from 'node:stream';
import type { Env } from '../paths.js';
import { browserCommand, openBrowser } from './browser.js';
import type { LoopbackListener } from './loopback.js';
import { readPastedRedirect } from './paste-back.js';

export interface AuthorizationWait {
  /** Who the login is for, in the first line: `'notes'`, `your identity provider (https://...)`. */
  label: string;
  authorizationUrl: URL;
  listener: LoopbackListener;
  mode: 'browser' | 'paste';
  io: { env: Env; platform: NodeJS.Platform; stdin: Readable; stderr: Writable };
  /** The login's end (timeout, Ctrl-C): ends the wait. */
  signal: AbortSignal;
  /** Checks a pasted response (`bare`: a code alone, without state) and returns its code. */
  checkPasted(params: URLSearchParams, bare: boolean): string;
}

/**
 * The user's part of an authorization code login: the URL is printed; the browser is started with a
 * one-time link to the loopback listener (never the authorization request itself, which every account
 * could read on its command line), or the redirected URL (or a bare code) is read from stdin. Resolves
 * with the code of the first response that passes the checks.
 */
export async function waitForAuthorizationCode(wait: AuthorizationWait): Promise<string> {
  const { io, listener, signal } = wait;
  io.stderr.write(`To log in to ${wait.label}, open this URL in a browser:\n\n  ${wait.authorizationUrl.href}\n\n`);
  const ended = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  ended.catch(() => undefined);
  const sources: Promise<string>[] = [listener.result, ended];
  if (wait.mode === 'paste') {
    io.stderr.write('Then paste here the full URL that the browser was redirected to (http://127.0.0.1:...), or the code the server shows:\n');
    sources.push(readPastedRedirect(io.stdin, signal).then((pasted) => wait.checkPasted(pasted.params, pasted.bare)));
  } else {
    const browser = browserCommand(io.env, io.platform);
    const opened = browser ? await openBrowser(listener.launchUrl(wait.authorizationUrl), browser, io.env) : false;
    io.stderr.write(
      opened ? `Waiting for the browser (opened with ${browser!.source})...\n` : 'Could not start a browser; open the URL yourself. Waiting...\n',
    );
  }
  return Promise.race(sources);
}
