import { dpopProof, type DpopKey } from './dpop.js';

type Fetch = typeof fetch;

/**
 * The nonces servers handed out (RFC 9449 sections 8 and 9), by role and origin, for the life of the
 * process: an authorization server and an MCP server each have their own, even on one origin (an MCP
 * server that is its own authorization server), and a server may send a new one with any answer. Nonces are public values; one longer than this, or with characters a nonce may not
 * have (NQCHAR), is ignored rather than copied into every proof.
 */
const nonces = new Map<string, string>();
const MAX_NONCE_CHARS = 512;
const MAX_ORIGINS = 64;
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Whose nonce: the token endpoint's, or the MCP server's. */
type Role = 'authorization server' | 'resource server';

/** Remembers the `DPoP-Nonce` of an answer; true when it brought one. */
function noteNonce(response: Response, server: string): boolean {
  const nonce = response.headers.get('dpop-nonce');
  if (nonce === null || nonce.length > MAX_NONCE_CHARS || !NONCE.test(nonce)) return false;
  if (!nonces.has(server) && nonces.size >= MAX_ORIGINS) nonces.delete(nonces.keys().next().value!);
  nonces.set(server, nonce);
  return true;
}

const urlOf = (input: Parameters<Fetch>[0]) => new URL(input instanceof Request ? input.url : String(input));

/** An authorization server's refusal for want of a nonce: `use_dpop_nonce` (RFC 9449 section 8). */
async function asksForNonce(response: Response): Promise<boolean> {
  if (response.status !== 400) return false;
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as { error?: unknown } | undefined;
  return body?.error === 'use_dpop_nonce';
}

/** A resource server's refusal for want of a nonce: 401 with a DPoP challenge whose error is `use_dpop_nonce` (RFC 9449 section 9). */
export function isDpopNonceChallenge(response: Response): boolean {
  const challenge = response.headers.get('www-authenticate') ?? '';
  return response.status === 401 && /(?:^|,)\s*dpop\s/i.test(challenge) && /\berror\s*=\s*"?use_dpop_nonce\b/i.test(challenge);
}

/**
 * Sends a request with a fresh proof, and once more with a fresh proof carrying the server's nonce
 * when it answers that it wants one (never the same proof twice).
 */
async function withProof(
  role: Role,
  base: Fetch,
  input: Parameters<Fetch>[0],
  init: RequestInit | undefined,
  headersFor: (nonce: string | undefined) => Headers,
  wantsNonce: (response: Response) => Promise<boolean> | boolean,
): Promise<Response> {
  const server = `${role} ${urlOf(input).origin}`;
  const send = () => base(input, { ...init, headers: headersFor(nonces.get(server)) });
  const response = await send();
  const brought = noteNonce(response, server);
  if (!brought || !(await wantsNonce(response))) return response;
  await response.body?.cancel();
  const retried = await send();
  noteNonce(retried, server);
  return retried;
}

/** A fetch for the token endpoint: each request (authorization code, refresh, client credentials, device polls) with a proof of possession of `key`. */
export function dpopTokenFetch(key: DpopKey, base: Fetch): Fetch {
  return (input, init) => {
    const htu = urlOf(input);
    const htm = init?.method ?? 'POST';
    return withProof(
      'authorization server',
      base,
      input,
      init,
      (nonce) => {
        const headers = new Headers(init?.headers);
        headers.set('dpop', dpopProof(key, { htm, htu, ...(nonce !== undefined ? { nonce } : {}) }));
        return headers;
      },
      asksForNonce,
    );
  };
}

/** Sends a request to the MCP server with a DPoP-bound token: `Authorization: DPoP <token>` and a proof bound to it (`ath`). */
export function fetchWithDpopToken(base: Fetch, input: Parameters<Fetch>[0], init: RequestInit | undefined, token: string, key: DpopKey): Promise<Response> {
  const htu = urlOf(input);
  const htm = init?.method ?? (input instanceof Request ? input.method : 'GET');
  return withProof(
    'resource server',
    base,
    input,
    init,
    (nonce) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `DPoP ${token}`);
      headers.set('dpop', dpopProof(key, { htm, htu, accessToken: token, ...(nonce !== undefined ? { nonce } : {}) }));
      return headers;
    },
    isDpopNonceChallenge,
  );
}
