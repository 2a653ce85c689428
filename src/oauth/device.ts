import type { Writable } from 'node:stream';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/client';
import * as z from 'zod';
import { CliError } from '../errors.js';
import { oneLine } from '../io/terminal-text.js';
import { deviceEndpoint, type Discovery } from './discovery.js';
import { DEVICE_GRANT } from './registration.js';
import { authenticateClient, OAuthEndpointError, parseTokens, postForm } from './token-endpoint.js';
import { checkOAuthUrl, urlForMessage } from './url-policy.js';

/** RFC 8628 section 3.2. */
const DeviceAuthorizationSchema = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1),
  verification_uri: z.string().min(1),
  verification_uri_complete: z.string().optional(),
  expires_in: z.coerce.number().positive(),
  interval: z.coerce.number().positive().optional(),
});

/** The polling interval when the server names none (RFC 8628 section 3.2), and what each `slow_down` adds (section 3.5). */
export const DEFAULT_INTERVAL_S = 5;
export const SLOW_DOWN_S = 5;

/**
 * What a server may ask for, held to sane bounds: polls no faster than once a second, no
 * slower than every 5 minutes, and a code that lives at most an hour (real servers give 15-30 min).
 */
const INTERVAL_BOUNDS_S = [1, 300] as const;
const MAX_EXPIRES_IN_S = 3600;
const clamp = (value: number, [low, high]: readonly [number, number]) => Math.min(high, Math.max(low, value));

/** The polling interval and the code's lifetime to use, in seconds, for what the server answered. */
export function devicePolling(grant: { interval?: number; expires_in: number }): { intervalS: number; expiresInS: number } {
  return { intervalS: clamp(grant.interval ?? DEFAULT_INTERVAL_S, INTERVAL_BOUNDS_S), expiresInS: Math.min(grant.expires_in, MAX_EXPIRES_IN_S) };
}

/** The interval after a `slow_down`. */
export const slowedDown = (intervalS: number): number => clamp(intervalS + SLOW_DOWN_S, INTERVAL_BOUNDS_S);

export interface DeviceFlowOptions {
  server: string;
  discovery: Discovery;
  client: OAuthClientInformationMixed;
  scope?: string;
  stderr: Writable;
  now(): Date;
  /** Ends the polling: the login's timeout or Ctrl-C. */
  signal: AbortSignal;
  /** The fetch for the token endpoint's polls: one that adds a DPoP proof (dpop-fetch.ts), else policedFetch(). */
  tokenFetch?: typeof fetch;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The client itself was refused: the login decides what that means for a stored registration. */
export const clientRefused = (error: OAuthEndpointError) => error.code === 'invalid_client' || error.code === 'unauthorized_client';

/** What a person is to type or open, held to lengths that a person can: longer is a message, not a code. */
const MAX_USER_CODE_CHARS = 64;
const MAX_URI_CHARS = { verification_uri: 512, verification_uri_complete: 1024 } as const;

/**
 * A URI of the device authorization response that the user is to open: https (or loopback), no
 * longer than a person can check, and without user information before the host, which makes
 * `https://login.example.com@evil.example/` read as another site.
 */
function verificationUri(value: string, field: keyof typeof MAX_URI_CHARS, server: string, issuer: string): URL {
  const url = checkOAuthUrl(value, `${field} of ${server}'s authorization server`);
  const from = `the authorization server ${urlForMessage(issuer)} sent a ${field} for '${server}'`;
  if (url.username || url.password)
    throw new CliError(`${from} with user information before its host (${urlForMessage(url)}), which makes it read as another site; refusing it`);
  const length = [...url.href].length;
  if (length > MAX_URI_CHARS[field])
    throw new CliError(
      `the authorization server ${urlForMessage(issuer)} sent a ${field} of ${length} characters for '${server}'; refusing it (at most ${MAX_URI_CHARS[field]})`,
    );
  return url;
}

/** The user code, as one line that cannot pass for mcp-cli's own output: control characters and line breaks escaped, its length bounded. */
function userCode(code: string, server: string, issuer: string): string {
  const length = [...code].length;
  if (length > MAX_USER_CODE_CHARS)
    throw new CliError(
      `the authorization server ${urlForMessage(issuer)} sent a user_code of ${length} characters for '${server}'; refusing it (a code to type has at most ${MAX_USER_CODE_CHARS})`,
    );
  return oneLine(code);
}

const minutes = (seconds: number) => (seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`);

/**
 * The device authorization grant (RFC 8628), for machines without a browser: the user opens the
 * verification URI on any device and enters the code shown here (on stderr, as the server wrote
 * it, made safe for a terminal), while this polls the token endpoint at the server's interval,
 * 5 s slower after each `slow_down`, until the user approves (tokens), refuses (`access_denied`),
 * or the code expires (`expired_token`, or its lifetime is over).
 */
export async function deviceAuthorization(options: DeviceFlowOptions): Promise<OAuthTokens> {
  const { server, discovery, client, signal } = options;
  const { metadata } = discovery;
  const endpoint = deviceEndpoint(metadata);
  if (!endpoint) throw new CliError(`the authorization server ${urlForMessage(discovery.issuer)} does not offer the device authorization grant`);
  const secrets = [client.client_secret];

  const request = new URLSearchParams();
  if (options.scope) request.set('scope', options.scope);
  if (discovery.resource !== undefined) request.set('resource', discovery.resource);
  const requestHeaders = new Headers();
  await authenticateClient(client, metadata.token_endpoint_auth_methods_supported, requestHeaders, request);
  let answer: unknown;
  try {
    answer = await postForm(endpoint, request, requestHeaders, secrets, signal);
  } catch (error) {
    if (error instanceof OAuthEndpointError && !clientRefused(error))
      throw new CliError(`the authorization server ${urlForMessage(discovery.issuer)} refused to start a device login for '${server}': ${error.message}`);
    throw error;
  }
  const parsed = DeviceAuthorizationSchema.safeParse(answer);
  if (!parsed.success) throw new CliError(`the device authorization response of ${urlForMessage(endpoint)} is invalid (RFC 8628 section 3.2)`);
  const grant = parsed.data;
  const { issuer } = discovery;
  const verification = verificationUri(grant.verification_uri, 'verification_uri', server, issuer);
  const complete =
    grant.verification_uri_complete !== undefined ? verificationUri(grant.verification_uri_complete, 'verification_uri_complete', server, issuer) : undefined;
  const code = userCode(grant.user_code, server, issuer);
  secrets.push(grant.device_code);
  const { intervalS, expiresInS: expiresIn } = devicePolling(grant);

  // Each value from the server on a line of its own, none able to start another: the issuer says who asks.
  options.stderr.write(
    `To log in to '${server}' (authorization server ${urlForMessage(issuer)}), open this URL on any device with a browser:\n\n` +
      `  ${oneLine(verification.href)}\n\nand enter the code:  ${code}\n` +
      (complete ? `\n(or open ${oneLine(complete.href)}, which carries the code)\n` : '') +
      `\nWaiting for the login to be approved (the code expires in ${minutes(expiresIn)})...\n`,
  );

  const expiresAt = options.now().getTime() + expiresIn * 1000;
  let interval = intervalS;
  const expired = () =>
    new CliError(`the device code for '${server}' expired before the login was approved`, 1, `run mcp-cli auth login ${server} --device again`);
  for (;;) {
    await sleep(interval * 1000, signal);
    if (options.now().getTime() >= expiresAt) throw expired();
    const poll = new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: grant.device_code });
    if (discovery.resource !== undefined) poll.set('resource', discovery.resource);
    const headers = new Headers();
    await authenticateClient(client, metadata.token_endpoint_auth_methods_supported, headers, poll);
    try {
      return await parseTokens(await postForm(metadata.token_endpoint, poll, headers, secrets, signal, options.tokenFetch), metadata.token_endpoint);
    } catch (error) {
      if (!(error instanceof OAuthEndpointError) || clientRefused(error)) throw error;
      if (error.code === 'authorization_pending') continue;
      if (error.code === 'slow_down') {
        interval = slowedDown(interval);
        continue;
      }
      if (error.code === 'expired_token') throw expired();
      if (error.code === 'access_denied') throw new CliError(`the login to '${server}' was refused on the device (access_denied)`);
      throw new CliError(`the authorization server ${urlForMessage(discovery.issuer)} ended the device login for '${server}': ${error.message}`);
    }
  }
}
