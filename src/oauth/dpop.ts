import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { CliError } from '../errors.js';
import { LoginRequiredError } from './errors.js';
import { urlForMessage } from './url-policy.js';

/**
 * DPoP (RFC 9449): the key pair a login's tokens are bound to, and the proofs signed with it. A proof
 * is a JWT that names the request it goes with (`htm`, `htu`), when it was made (`iat`), a random
 * `jti` the server remembers to refuse a replay, the hash of the access token it accompanies (`ath`)
 * and the server's nonce when it asked for one. Signed with node:crypto.
 */

/** The algorithms mcp-cli signs proofs with, in the order it prefers them. */
export const DPOP_ALGS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'PS256', 'RS256'] as const;
export type DpopAlg = (typeof DPOP_ALGS)[number];

const KEY_SHAPE: Record<DpopAlg, { type: string; curve?: string; hash: string | null }> = {
  ES256: { type: 'ec', curve: 'P-256', hash: 'sha256' },
  ES384: { type: 'ec', curve: 'P-384', hash: 'sha384' },
  ES512: { type: 'ec', curve: 'P-521', hash: 'sha512' },
  EdDSA: { type: 'ed25519', hash: null },
  PS256: { type: 'rsa', hash: 'sha256' },
  RS256: { type: 'rsa', hash: 'sha256' },
};

/** A key ready to sign proofs. */
export interface DpopKey {
  alg: DpopAlg;
  privateKey: KeyObject;
  /** The public half, as every proof's `jwk` header carries it. */
  publicJwk: JsonWebKey;
  /** Its JWK SHA-256 thumbprint (RFC 7638): what an authorization server binds a token to (`cnf.jkt`). */
  thumbprint: string;
}

/** What a login keeps of its DPoP key: the private key as text (a secret, stored with the tokens), and what may be shown of it. */
export interface DpopBinding {
  /** `{"alg":...,"jwk":{...}}`, the private JWK: a secret. */
  key: string;
  alg: DpopAlg;
  /** The key's thumbprint: public, it names the key without revealing it. */
  jkt: string;
}

const isAlg = (value: unknown): value is DpopAlg => (DPOP_ALGS as readonly unknown[]).includes(value);

/** RFC 7638: the SHA-256 of the key's required members, in lexicographic order, without whitespace. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function keyFrom(alg: DpopAlg, privateKey: KeyObject): DpopKey {
  const shape = KEY_SHAPE[alg];
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (privateKey.asymmetricKeyType !== shape.type || (shape.curve !== undefined && jwk.crv !== shape.curve)) throw new Error(`not a key for ${alg}`);
  const publicJwk: JsonWebKey =
    jwk.kty === 'RSA' ? { kty: jwk.kty, e: jwk.e, n: jwk.n } : { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y !== undefined ? { y: jwk.y } : {}) };
  return { alg, privateKey, publicJwk, thumbprint: jwkThumbprint(publicJwk) };
}

/** A new key pair for one login. */
export function generateDpopKey(alg: DpopAlg = 'ES256'): DpopKey {
  const shape = KEY_SHAPE[alg];
  const { privateKey } =
    shape.type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: shape.curve! })
      : shape.type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return keyFrom(alg, privateKey);
}

/** The key as the store keeps it, with its public description. */
export function dpopBinding(key: DpopKey): DpopBinding {
  return { key: JSON.stringify({ alg: key.alg, jwk: key.privateKey.export({ format: 'jwk' }) }), alg: key.alg, jkt: key.thumbprint };
}

/** Reads a stored key; a damaged one is an error that asks for a new login (the message never quotes it). */
export function readDpopKey(text: string, server: string): DpopKey {
  try {
    const { alg, jwk } = JSON.parse(text) as { alg?: unknown; jwk?: JsonWebKey };
    if (!isAlg(alg) || typeof jwk !== 'object' || jwk === null) throw new Error('malformed');
    return keyFrom(alg, createPrivateKey({ key: jwk, format: 'jwk' }));
  } catch {
    throw new LoginRequiredError(server, `the DPoP key stored with the login of '${server}' is damaged`);
  }
}

/** The base64url SHA-256 of an access token: a proof's `ath` claim, which ties the proof to the token it accompanies. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

/** The `htu` of a request: its URL without query or fragment (RFC 9449 section 4.2), and without user information. */
export function proofTarget(url: URL | string): string {
  const u = new URL(String(url));
  return `${u.protocol}//${u.host}${u.pathname}`;
}

const base64url = (text: string | Buffer) => Buffer.from(text).toString('base64url');

export interface ProofRequest {
  htm: string;
  htu: URL | string;
  /** The access token the request carries: the proof's `ath`. */
  accessToken?: string;
  nonce?: string;
  now?: Date;
}

/** A fresh proof for one request: a new `jti` every time, so that none is ever sent twice. */
export function dpopProof(key: DpopKey, request: ProofRequest): string {
  const header = { typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk };
  const payload = {
    jti: randomBytes(16).toString('base64url'),
    htm: request.htm.toUpperCase(),
    htu: proofTarget(request.htu),
    iat: Math.floor((request.now ?? new Date()).getTime() / 1000),
    ...(request.accessToken !== undefined ? { ath: accessTokenHash(request.accessToken) } : {}),
    ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
  };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const shape = KEY_SHAPE[key.alg];
  const signer =
    shape.type === 'ec'
      ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const }
      : key.alg === 'PS256'
        ? { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : key.privateKey;
  return `${input}.${base64url(sign(shape.hash, Buffer.from(input), signer))}`;
}

/** The `oauth.dpop` setting: off, required, or (unset) whenever the authorization server offers it. */
export type DpopSetting = boolean | undefined;

export interface DpopPolicy {
  server: string;
  issuer: string;
  setting: DpopSetting;
  /** The authorization server's `dpop_signing_alg_values_supported` (RFC 9449 section 5.1), as its metadata has it. */
  advertised: unknown;
  /** The protected resource metadata's `dpop_bound_access_tokens_required` (RFC 9728): the server takes no other tokens. */
  resourceRequires?: unknown;
}

/** The algorithms of an authorization server's metadata that mcp-cli can sign with, in its order. */
export function usableAlgs(advertised: unknown): DpopAlg[] {
  return Array.isArray(advertised) ? DPOP_ALGS.filter((alg) => advertised.includes(alg)) : [];
}

/**
 * Whether a new grant binds its tokens to a key, and with which algorithm: when the authorization server
 * advertises an algorithm mcp-cli signs with, unless `oauth.dpop` is false. With `oauth.dpop: true` (or a
 * server whose resource metadata requires bound tokens) an authorization server that offers none is an error.
 */
export function dpopAlgFor(policy: DpopPolicy): DpopAlg | undefined {
  if (policy.setting === false) return undefined;
  const [alg] = usableAlgs(policy.advertised);
  if (alg !== undefined) return alg;
  if (policy.setting !== true && policy.resourceRequires !== true) return undefined;
  const why = policy.setting === true ? 'oauth.dpop is true' : `'${policy.server}' accepts only DPoP-bound tokens (dpop_bound_access_tokens_required)`;
  const offered = Array.isArray(policy.advertised)
    ? `it offers ${policy.advertised.map(String).join(', ') || 'none'}`
    : 'it advertises no dpop_signing_alg_values_supported';
  throw new CliError(
    `${why}, and the authorization server ${urlForMessage(policy.issuer)} of '${policy.server}' offers no DPoP algorithm mcp-cli signs with (${DPOP_ALGS.join(', ')}): ${offered}`,
  );
}

/** What a token response's `token_type` means for a grant that sent (or did not send) proofs. */
export interface TokenTypeCheck {
  server: string;
  issuer: string;
  /** The grant's proofs were signed with a key. */
  bound: boolean;
  /** Only DPoP-bound tokens will do (`oauth.dpop: true`). */
  required: boolean;
}

/**
 * The token type to store: `DPoP` for a token bound to the key, else what the server said. A client
 * must check it (RFC 9449 section 5): a DPoP token without a proof cannot be used, and a Bearer token
 * in answer to a proof is refused when bound tokens are required (else kept, and shown as not bound).
 */
export function checkedTokenType(tokenType: string | undefined, check: TokenTypeCheck): string {
  const dpop = tokenType?.toLowerCase() === 'dpop';
  const from = `the authorization server ${urlForMessage(check.issuer)} of '${check.server}'`;
  if (dpop && !check.bound) throw new CliError(`${from} issued a DPoP token to a request without a DPoP proof; it cannot be used, and was not stored`);
  if (!dpop && check.required)
    throw new CliError(
      `${from} issued a ${tokenType || 'Bearer'} token though oauth.dpop is true; it was not stored`,
      1,
      check.bound
        ? "ask the server's administrator to allow DPoP-bound tokens for this client"
        : `run \`mcp-cli auth login ${check.server}\` to log in with a DPoP key`,
    );
  return dpop ? 'DPoP' : tokenType || 'Bearer';
}
