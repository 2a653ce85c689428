// DPoP's pieces (src/oauth/dpop.ts, dpop-fetch.ts): keys and thumbprints (RFC 7638's own example),
// proofs for each algorithm checked by the test servers' independent verifier, the policy that picks
// an algorithm or refuses, the token type a client must check, and the nonce retry of the token
// endpoint (at most once, only with a nonce, never with the same proof).
import type { JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import {
  checkedTokenType,
  dpopAlgFor,
  dpopBinding,
  dpopProof,
  DPOP_ALGS,
  generateDpopKey,
  jwkThumbprint,
  proofTarget,
  readDpopKey,
} from '../../src/oauth/dpop.js';
import { dpopTokenFetch, fetchWithDpopToken, isDpopNonceChallenge } from '../../src/oauth/dpop-fetch.js';
import { checkProof, thumbprint } from '../helpers/dpop-checks.js';

const claimsOf = (proof: string) => JSON.parse(Buffer.from(proof.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
const headerOf = (proof: string) => JSON.parse(Buffer.from(proof.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;

describe('DPoP keys and proofs', () => {
  it('computes the JWK thumbprint of RFC 7638 section 3.1', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(jwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' })).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it.each(DPOP_ALGS)('a %s proof passes an independent verifier: typ, alg, public jwk only, htm, htu without query, iat, ath, nonce', (alg) => {
    const key = generateDpopKey(alg);
    const proof = dpopProof(key, { htm: 'post', htu: 'https://user:pw@mcp.example:443/mcp?x=1#frag', accessToken: 'AT', nonce: 'n-1' });
    const header = headerOf(proof);
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg });
    expect(Object.keys(header.jwk as object)).not.toContain('d');
    expect(thumbprint(header.jwk as JsonWebKey)).toBe(key.thumbprint);
    const checked = checkProof(proof, { htm: 'POST', htu: 'https://mcp.example/mcp', accessToken: 'AT', nonce: 'n-1', seenJti: new Set(), algs: [alg] });
    expect(checked).toEqual({ jkt: key.thumbprint, claims: expect.objectContaining({ htm: 'POST', htu: 'https://mcp.example/mcp', nonce: 'n-1' }) });
  });

  it('mints a new jti for every proof, and a proof names no token it was not given', () => {
    const key = generateDpopKey();
    const proofs = Array.from({ length: 20 }, () => dpopProof(key, { htm: 'POST', htu: 'https://as.example/token' }));
    expect(new Set(proofs.map((p) => claimsOf(p).jti)).size).toBe(20);
    expect(claimsOf(proofs[0]!)).not.toHaveProperty('ath');
    expect(claimsOf(proofs[0]!)).not.toHaveProperty('nonce');
    expect(proofTarget('HTTPS://AS.Example:443/t/token?a=b#c')).toBe('https://as.example/t/token');
  });

  it('stores a key as text and reads it back to the same key; damaged text asks for a new login without quoting it', () => {
    const key = generateDpopKey('ES384');
    const binding = dpopBinding(key);
    expect(binding).toMatchObject({ alg: 'ES384', jkt: key.thumbprint });
    const read = readDpopKey(binding.key, 'notes');
    expect(read.thumbprint).toBe(key.thumbprint);
    expect(
      checkProof(dpopProof(read, { htm: 'GET', htu: 'https://x.example/' }), { htm: 'GET', htu: 'https://x.example/', seenJti: new Set(), algs: ['ES384'] }),
    ).toHaveProperty('jkt', key.thumbprint);
    const { jwk } = JSON.parse(binding.key) as { jwk: object };
    for (const damaged of [
      'not json SECRET-BITS',
      JSON.stringify({ alg: 'ES256', jwk }),
      JSON.stringify({ alg: 'HS256', jwk }),
      JSON.stringify({ alg: 'ES384' }),
    ]) {
      const error = (() => {
        try {
          readDpopKey(damaged, 'notes');
        } catch (e) {
          return e as CliError;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(CliError);
      expect(error!.exitCode).toBe(4);
      expect(error!.message).toBe(`the DPoP key stored with the login of 'notes' is damaged; run mcp-cli auth login notes`);
    }
  });
});

describe('DPoP policy', () => {
  const policy = (setting: boolean | undefined, advertised: unknown, resourceRequires?: boolean) =>
    dpopAlgFor({ server: 'notes', issuer: 'https://as.example/', setting, advertised, ...(resourceRequires !== undefined ? { resourceRequires } : {}) });

  it('binds when the authorization server offers an algorithm it signs with, ES256 first; never with "dpop": false', () => {
    expect(policy(undefined, ['RS256', 'ES256'])).toBe('ES256');
    expect(policy(undefined, ['PS256', 'RS256'])).toBe('PS256');
    expect(policy(undefined, undefined)).toBeUndefined();
    expect(policy(undefined, ['HS256', 'none'])).toBeUndefined();
    expect(policy(undefined, 'ES256')).toBeUndefined();
    expect(policy(false, ['ES256'], true)).toBeUndefined();
  });

  it('"dpop": true, or a resource that takes only bound tokens, with a server that offers nothing usable is an error naming what it offers', () => {
    expect(() => policy(true, ['HS256'])).toThrow(
      /^oauth\.dpop is true, and the authorization server https:\/\/as\.example\/ of 'notes' offers no DPoP algorithm .*: it offers HS256$/,
    );
    expect(() => policy(undefined, undefined, true)).toThrow(
      /'notes' accepts only DPoP-bound tokens \(dpop_bound_access_tokens_required\).*advertises no dpop_signing_alg_values_supported/,
    );
  });

  it('checks the token type of a response: DPoP only to a proof; Bearer to a proof kept unless bound tokens are required', () => {
    const check = (bound: boolean, required: boolean) => ({ server: 'notes', issuer: 'https://as.example/', bound, required });
    expect(checkedTokenType('DPoP', check(true, true))).toBe('DPoP');
    expect(checkedTokenType('dpop', check(true, false))).toBe('DPoP');
    expect(checkedTokenType('Bearer', check(true, false))).toBe('Bearer');
    expect(checkedTokenType(undefined, check(false, false))).toBe('Bearer');
    expect(() => checkedTokenType('Bearer', check(true, true))).toThrow(/issued a Bearer token though oauth\.dpop is true; it was not stored/);
    expect(() => checkedTokenType('DPoP', check(false, false))).toThrow(/issued a DPoP token to a request without a DPoP proof/);
  });

  it('recognises a resource server nonce challenge in any position of WWW-Authenticate, and nothing else', () => {
    const response = (status: number, challenge: string) => new Response(null, { status, headers: { 'www-authenticate': challenge } });
    expect(isDpopNonceChallenge(response(401, 'DPoP error="use_dpop_nonce", error_description="x"'))).toBe(true);
    expect(isDpopNonceChallenge(response(401, 'Bearer realm="r", DPoP algs="ES256", error="use_dpop_nonce"'))).toBe(true);
    expect(isDpopNonceChallenge(response(401, 'Bearer error="use_dpop_nonce"'))).toBe(false);
    expect(isDpopNonceChallenge(response(401, 'DPoP error="invalid_token"'))).toBe(false);
    expect(isDpopNonceChallenge(response(400, 'DPoP error="use_dpop_nonce"'))).toBe(false);
  });
});

describe('the token endpoint fetch with DPoP', () => {
  let port = 0;
  /** A token endpoint that answers from a script; each test its own origin (nonces are remembered by origin). */
  function scripted(answers: Response[]) {
    const seen: { proof: string; body: string }[] = [];
    const endpoint = `https://as${++port}.example/token?tenant=a`;
    const base = (async (_input: string | URL | Request, init?: RequestInit) => {
      seen.push({ proof: new Headers(init?.headers).get('dpop')!, body: String(init?.body) });
      return answers.shift() ?? new Response('{}', { status: 500 });
    }) as typeof fetch;
    return { seen, endpoint, base };
  }
  const nonceRefusal = (nonce?: string) =>
    new Response(JSON.stringify({ error: 'use_dpop_nonce' }), {
      status: 400,
      headers: { 'content-type': 'application/json', ...(nonce ? { 'dpop-nonce': nonce } : {}) },
    });
  const tokens = () => new Response(JSON.stringify({ access_token: 'a', token_type: 'DPoP' }), { status: 200 });
  const key = generateDpopKey();
  const post = (f: typeof fetch, endpoint: string) => f(endpoint, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token' }) });

  it('answers use_dpop_nonce once: the same request again with a fresh proof carrying the nonce; the next request carries it from the start', async () => {
    const { seen, endpoint, base } = scripted([nonceRefusal('n-1'), tokens(), tokens()]);
    const f = dpopTokenFetch(key, base);
    expect((await post(f, endpoint)).status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.body).toBe(seen[0]!.body);
    const [first, second] = seen.map((s) => claimsOf(s.proof));
    expect(first).not.toHaveProperty('nonce');
    expect(second).toMatchObject({ nonce: 'n-1', htm: 'POST', htu: endpoint.replace(/\?.*$/, '') });
    expect(second!.jti).not.toBe(first!.jti);
    await post(f, endpoint);
    expect(claimsOf(seen[2]!.proof)).toMatchObject({ nonce: 'n-1' });
  });

  it('does not retry a refusal without a nonce, or with a nonce no server may send; never more than once', async () => {
    for (const answer of [nonceRefusal(), nonceRefusal('x'.repeat(600)), nonceRefusal('bad"nonce')]) {
      const { seen, endpoint, base } = scripted([answer, tokens()]);
      expect((await post(dpopTokenFetch(key, base), endpoint)).status).toBe(400);
      expect(seen).toHaveLength(1);
    }
    const { seen, endpoint, base } = scripted([nonceRefusal('n-1'), nonceRefusal('n-2'), tokens()]);
    const answer = await post(dpopTokenFetch(key, base), endpoint);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: 'use_dpop_nonce' });
    expect(seen).toHaveLength(2);
  });

  it('keeps the nonce of an MCP server apart from that of the authorization server on its own origin', async () => {
    const { seen, endpoint, base } = scripted([
      nonceRefusal('as-1'),
      tokens(),
      new Response('{}', { status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'rs-1' } }),
      new Response('{}', { status: 200 }),
      tokens(),
      new Response('{}', { status: 200 }),
    ]);
    const mcp = new URL('/mcp', endpoint).href;
    const call = () => fetchWithDpopToken(base, mcp, { method: 'POST', body: '{}' }, 'the-token', key);
    expect((await post(dpopTokenFetch(key, base), endpoint)).status).toBe(200);
    expect((await call()).status).toBe(200);
    expect((await post(dpopTokenFetch(key, base), endpoint)).status).toBe(200);
    expect((await call()).status).toBe(200);
    expect(seen.map((s) => claimsOf(s.proof).nonce)).toEqual([undefined, 'as-1', undefined, 'rs-1', 'as-1', 'rs-1']);
  });
});
