import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { CliError } from '../errors.js';

/** A private key for private_key_jwt, and the JWS algorithm it signs with. */
export interface AssertionKey {
  key: KeyObject;
  alg: 'RS256' | 'ES256';
}

/** Reads `oauth.privateKey`: an RSA key of 2048 bits or more (RS256), or a P-256 key (ES256), in PEM. The message never quotes it. */
export function assertionKey(pem: string, server: string): AssertionKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new CliError(
      `oauth.privateKey of '${server}' is not a PEM private key`,
      1,
      'store the key with `mcp-cli token set NAME --type generic --value -` and reference it',
    );
  }
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048) return { key, alg: 'RS256' };
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return { key, alg: 'ES256' };
  throw new CliError(`oauth.privateKey of '${server}' must be an RSA key of at least 2048 bits (RS256) or a P-256 EC key (ES256)`);
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

export interface AssertionClaims {
  clientId: string;
  /** The authorization server's issuer, or its token endpoint where the server wants that. */
  audience: string;
  keyId?: string;
  now: Date;
}

/** Lifetime of an assertion: it is made for one request. */
export const ASSERTION_LIFETIME_S = 60;

/**
 * A client assertion for private_key_jwt (RFC 7523 sections 2.2 and 3): issuer and subject the
 * client ID, audience the authorization server, a random `jti` so that it cannot be replayed, and
 * an expiry a minute away. Signed with node:crypto (ES256 in the JWS form: r and s, 32 bytes each).
 */
export function clientAssertion({ key, alg }: AssertionKey, claims: AssertionClaims): string {
  const iat = Math.floor(claims.now.getTime() / 1000);
  const header = { alg, typ: 'JWT', ...(claims.keyId !== undefined ? { kid: claims.keyId } : {}) };
  const payload = { iss: claims.clientId, sub: claims.clientId, aud: claims.audience, iat, exp: iat + ASSERTION_LIFETIME_S, jti: randomUUID() };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${base64url(signature)}`;
}
