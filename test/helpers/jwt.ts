// ES256 JWTs signed and verified with node:crypto, for the test servers that issue or accept them
// (a workload's platform, the identity provider, an authorization server taking jwt-bearer grants).
import { createHash, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export const newSigningKey = (): SigningKey => generateKeyPairSync('ec', { namedCurve: 'P-256' });

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(key: KeyObject, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${part({ alg: 'ES256', typ: 'JWT', ...header })}.${part({ jti: randomUUID(), ...claims })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** The JWT's parts, when it is signed by `key` (ES256); undefined otherwise. */
export function verifyJwt(jwt: string, key: KeyObject): DecodedJwt | undefined {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return undefined;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
  if (header.alg !== 'ES256') return undefined;
  if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))) return undefined;
  return { header, claims: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown> };
}

export function decodeJwt(jwt: string): DecodedJwt {
  const [h, p] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), claims: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
