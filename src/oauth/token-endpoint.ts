import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/client';
import { CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import { scrub } from './errors.js';
import { policedFetch, urlForMessage } from './url-policy.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** An OAuth error response (RFC 6749 section 5.2) from an endpoint: its code and description, made safe for a terminal. */
export class OAuthEndpointError extends Error {
  constructor(
    readonly code: string,
    readonly description: string | undefined,
    readonly status: number,
  ) {
    super(`${code}${description ? ` (${description})` : ''}`);
  }
}

/**
 * How the client authenticates a request to the token or device authorization endpoint: a signed
 * assertion (private_key_jwt), else its secret as the server prefers it (HTTP Basic, form-encoded
 * first as RFC 6749 section 2.3.1 says, or in the body), else only its `client_id` (a public client).
 */
export async function authenticateClient(
  client: OAuthClientInformationMixed,
  /** The endpoint's `*_auth_methods_supported` (RFC 8414), possibly absent. */
  supported: string[] | undefined,
  headers: Headers,
  params: URLSearchParams,
  assertion?: string,
): Promise<void> {
  if (assertion !== undefined) {
    params.set('client_assertion_type', JWT_BEARER_ASSERTION);
    params.set('client_assertion', assertion);
    return;
  }
  const { selectClientAuthMethod } = await import('@modelcontextprotocol/client');
  const method = selectClientAuthMethod(client, supported ?? []);
  if (method === 'client_secret_basic' && client.client_secret !== undefined) {
    const pair = `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`;
    headers.set('authorization', `Basic ${Buffer.from(pair).toString('base64')}`);
    return;
  }
  params.set('client_id', client.client_id);
  if (method === 'client_secret_post' && client.client_secret !== undefined) params.set('client_secret', client.client_secret);
}

/**
 * POSTs a form to an OAuth endpoint and returns the JSON of a 2xx answer. An OAuth error answer
 * throws an OAuthEndpointError; anything else a CliError. No redirect is followed (it could take the
 * credentials elsewhere), and `secrets` never appear in a message.
 */
export async function postForm(
  endpoint: string,
  params: URLSearchParams,
  headers: Headers,
  secrets: (string | undefined)[],
  signal?: AbortSignal,
  /** The fetch that sends it: policedFetch(), or one that adds a DPoP proof around it (dpop-fetch.ts). */
  fetchFn: typeof fetch = policedFetch(),
): Promise<unknown> {
  headers.set('content-type', 'application/x-www-form-urlencoded');
  headers.set('accept', 'application/json');
  const timeout = AbortSignal.timeout(30_000);
  const response = await fetchFn(endpoint, {
    method: 'POST',
    headers,
    body: params,
    redirect: 'manual',
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok && body !== undefined) return body;
  const { OAuthErrorResponseSchema } = await import('@modelcontextprotocol/core');
  const error = OAuthErrorResponseSchema.safeParse(body);
  const clean = (s: string, max = 300) => printable(scrub(s, secrets)).slice(0, max);
  if (!response.ok && error.success)
    throw new OAuthEndpointError(clean(error.data.error), error.data.error_description ? clean(error.data.error_description) : undefined, response.status);
  throw new CliError(`${urlForMessage(endpoint)} answered HTTP ${response.status}${response.ok ? ' without JSON' : ''}${text ? `: ${clean(text, 200)}` : ''}`);
}

/** A token response, checked as the SDK checks one. */
export async function parseTokens(body: unknown, endpoint: string): Promise<OAuthTokens> {
  const { OAuthTokensSchema } = await import('@modelcontextprotocol/core');
  const parsed = OAuthTokensSchema.omit({ issuer: true }).safeParse(body);
  if (!parsed.success) throw new CliError(`the token response of ${urlForMessage(endpoint)} is not a token response (no access_token or token_type)`);
  return parsed.data;
}
