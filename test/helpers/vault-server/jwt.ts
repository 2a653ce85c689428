// Compact JWS (RFC 7515) signing and verification on node:crypto, ES256 and RS256 only: enough for the
// stand-in's JWT and Kubernetes auth methods and for the tests that hand them a token.
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export type JwtAlg = 'ES256' | 'RS256';

const b64 = (value: object | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

export function signJwt(claims: Record<string, unknown>, key: KeyObject, alg: JwtAlg = 'ES256', kid?: string): string {
  const input = `${b64({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${b64(signature)}`;
}

export type Parsed = { ok: true; claims: Record<string, unknown> } | { ok: false; error: string };

/**
 * The claims of `token` when one of `pems` verifies its signature. The errors are go-jose's words, which
 * Vault's JWT plugin passes on (`error parsing token: ...`, `no known key successfully validated the token signature`).
 */
export function verifyJwt(token: string, pems: readonly string[]): Parsed {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, error: 'error parsing token: go-jose/go-jose: compact JWS format must have three parts' };
  let header: { alg?: unknown };
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: unknown };
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, error: 'error parsing token: invalid character looking for beginning of value' };
  }
  if (header.alg !== 'ES256' && header.alg !== 'RS256')
    return { ok: false, error: `error parsing token: go-jose/go-jose: unexpected signature algorithm "${String(header.alg)}"` };
  const input = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2]!, 'base64url');
  const valid = pems.some((pem) => {
    try {
      const key = createPublicKey(pem);
      return verify('sha256', input, header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
    } catch {
      return false;
    }
  });
  if (!valid) return { ok: false, error: 'no known key successfully validated the token signature' };
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return { ok: false, error: 'error parsing token: claims are not an object' };
  return { ok: true, claims: claims as Record<string, unknown> };
}
