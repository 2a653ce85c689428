// DPoP (RFC 9449) as an authorization server and a resource server check it, for the OAuth test
// servers (oauth-servers.ts, option `dpop`): every proof verified with node:crypto on its own (not
// with mcp-cli's code): `typ`, an asymmetric `alg` and a public `jwk`, the signature, `htm`, `htu`,
// `iat` within a minute, a `jti` never seen before, `ath` for the access token, the nonce the server
// handed out (rotated on demand), and the key's thumbprint against the token's binding (`cnf.jkt`,
// kept with the grant as an introspecting resource server sees it).
import { AsyncLocalStorage } from 'node:async_hooks';
import { constants, createHash, createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface DpopServerOptions {
  /** The authorization server's dpop_signing_alg_values_supported (default ['ES256']); [] leaves the field out. */
  algs?: string[];
  /** The token endpoint requires its nonce (400 use_dpop_nonce with a DPoP-Nonce header otherwise). */
  asNonce?: boolean;
  /** The MCP endpoint requires its nonce (401 DPoP error="use_dpop_nonce" with a DPoP-Nonce header otherwise). */
  rsNonce?: boolean;
  /** Issues Bearer tokens to requests with a valid proof (a server that declines to bind). */
  bearerDespiteProof?: boolean;
  /** The protected resource metadata says dpop_bound_access_tokens_required. */
  resourceRequires?: boolean;
}

/** A proof a server accepted or refused, and why. */
export interface SeenProof {
  where: 'token' | 'mcp';
  proof: string;
  /** The key's thumbprint, when the proof was well formed. */
  jkt?: string;
  claims?: Record<string, unknown>;
  /** Why it was refused; undefined when accepted. */
  refused?: string;
}

export interface DpopObservations {
  /** Every proof received, in order, with the verdict. */
  proofs: SeenProof[];
  /** Requests to the MCP endpoint refused, and why (a proof's refusal, or a token presented wrongly). */
  refusals: string[];
  /** The thumbprints authorization requests bound their code to (dpop_jkt). */
  authorizeJkts: string[];
  asNonceChallenges: number;
  rsNonceChallenges: number;
  /** Both servers hand out new nonces from now on: the ones given so far are refused. */
  rotateNonces(): void;
}

/** What a token request carried, for the provider to bind the tokens it issues: set around the token endpoint's handlers. */
export const dpopRequest = new AsyncLocalStorage<{ jkt?: string; authorizeJkt?: string }>();

const ALGS: Record<string, { hash: string | null; options?: object; kty: string; crv?: string }> = {
  ES256: { hash: 'sha256', options: { dsaEncoding: 'ieee-p1363' }, kty: 'EC', crv: 'P-256' },
  ES384: { hash: 'sha384', options: { dsaEncoding: 'ieee-p1363' }, kty: 'EC', crv: 'P-384' },
  ES512: { hash: 'sha512', options: { dsaEncoding: 'ieee-p1363' }, kty: 'EC', crv: 'P-521' },
  EdDSA: { hash: null, kty: 'OKP', crv: 'Ed25519' },
  RS256: { hash: 'sha256', kty: 'RSA' },
  PS256: { hash: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, kty: 'RSA' },
};

export function thumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

export const tokenHash = (token: string) => createHash('sha256').update(token, 'ascii').digest('base64url');

interface Expected {
  htm: string;
  htu: string;
  accessToken?: string;
  nonce?: string;
  seenJti: Set<string>;
  /** Algorithms accepted. */
  algs: string[];
}

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/** RFC 9449 section 4.3, in order: a thumbprint when the proof is good, else the reason it is not. */
export function checkProof(
  proof: string | undefined,
  expected: Expected,
): { jkt: string; claims: Record<string, unknown> } | { error: string; jkt?: string; nonceOnly?: boolean } {
  if (!proof) return { error: 'no DPoP proof' };
  const parts = proof.split('.');
  if (parts.length !== 3) return { error: 'not a JWS' };
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decode(parts[0]!);
    claims = decode(parts[1]!);
  } catch {
    return { error: 'header or claims are not JSON' };
  }
  if (header.typ !== 'dpop+jwt') return { error: `typ ${String(header.typ)}` };
  const alg = String(header.alg);
  const spec = ALGS[alg];
  if (!spec || !expected.algs.includes(alg)) return { error: `alg ${alg} not accepted` };
  const jwk = header.jwk as JsonWebKey | undefined;
  if (!jwk || typeof jwk !== 'object') return { error: 'no jwk' };
  if ('d' in jwk || 'p' in jwk) return { error: 'jwk holds a private key' };
  if (jwk.kty !== spec.kty || (spec.crv !== undefined && jwk.crv !== spec.crv)) return { error: 'jwk does not fit alg' };
  const jkt = thumbprint(jwk);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const good = verify(spec.hash, Buffer.from(`${parts[0]}.${parts[1]}`), { key, ...spec.options }, Buffer.from(parts[2]!, 'base64url'));
  if (!good) return { error: 'bad signature', jkt };
  if (claims.htm !== expected.htm) return { error: `htm ${String(claims.htm)} is not ${expected.htm}`, jkt };
  if (claims.htu !== expected.htu) return { error: `htu ${String(claims.htu)} is not ${expected.htu}`, jkt };
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.iat !== 'number' || Math.abs(now - claims.iat) > 60) return { error: 'iat outside the window', jkt };
  if (typeof claims.jti !== 'string' || claims.jti.length < 16) return { error: 'jti missing or short', jkt };
  if (expected.accessToken !== undefined && claims.ath !== tokenHash(expected.accessToken)) return { error: 'ath does not match the token', jkt };
  if (expected.accessToken === undefined && claims.ath !== undefined) return { error: 'ath at the token endpoint', jkt };
  if (expected.seenJti.has(claims.jti)) return { error: 'jti replayed', jkt };
  if (expected.nonce !== undefined && claims.nonce !== expected.nonce) return { error: 'nonce missing or stale', jkt, nonceOnly: true };
  expected.seenJti.add(claims.jti);
  return { jkt, claims };
}

const newNonce = () => randomBytes(12).toString('base64url');

/** The DPoP checks of one authorization server and its MCP server. */
export function dpopChecks(options: DpopServerOptions, urls: { tokenEndpoint: () => string; mcpUrl: () => string }) {
  const algs = options.algs ?? ['ES256'];
  const asJti = new Set<string>();
  const rsJti = new Set<string>();
  let asNonce = newNonce();
  let rsNonce = newNonce();
  const observations: DpopObservations = {
    proofs: [],
    refusals: [],
    authorizeJkts: [],
    asNonceChallenges: 0,
    rsNonceChallenges: 0,
    rotateNonces() {
      asNonce = newNonce();
      rsNonce = newNonce();
    },
  };

  /** Around /authorize and /token: checks a token request's proof and makes its key known to the provider. */
  const authorizationServer = (req: Request, res: Response, next: NextFunction) => {
    if (req.path === '/authorize') {
      const jkt = typeof req.query.dpop_jkt === 'string' ? req.query.dpop_jkt : undefined;
      if (jkt) observations.authorizeJkts.push(jkt);
      return dpopRequest.run({ ...(jkt ? { authorizeJkt: jkt } : {}) }, next);
    }
    if (req.method !== 'POST' || req.path !== '/token') return next();
    const proof = req.headers.dpop;
    if (proof === undefined) return dpopRequest.run({}, next);
    const checked = checkProof(Array.isArray(proof) ? proof.join(',') : proof, {
      htm: 'POST',
      htu: urls.tokenEndpoint(),
      seenJti: asJti,
      algs,
      ...(options.asNonce ? { nonce: asNonce } : {}),
    });
    const seen: SeenProof = { where: 'token', proof: String(proof), ...('jkt' in checked && checked.jkt ? { jkt: checked.jkt } : {}) };
    observations.proofs.push(seen);
    if ('error' in checked) {
      seen.refused = checked.error;
      if (checked.nonceOnly) {
        observations.asNonceChallenges++;
        return res.status(400).set('DPoP-Nonce', asNonce).json({ error: 'use_dpop_nonce', error_description: 'a nonce is required' });
      }
      return res.status(400).json({ error: 'invalid_dpop_proof', error_description: checked.error });
    }
    seen.claims = checked.claims;
    return dpopRequest.run({ jkt: checked.jkt }, next);
  };

  /** The MCP endpoint's check of a token and its proof; `grantOf` looks the token up (its binding, scopes, audience). */
  const resourceServer =
    <G extends { jkt?: string }>(
      grantOf: (token: string) => G | undefined,
      resourceMetadataUrl: string,
      onGranted: (req: Request, token: string, grant: G) => void,
    ) =>
    (req: Request, res: Response, next: NextFunction) => {
      const challenge = (error: string, description: string) => {
        observations.refusals.push(description);
        res
          .status(401)
          .set(
            'WWW-Authenticate',
            `DPoP error="${error}", error_description="${description}", algs="${algs.join(' ')}", resource_metadata="${resourceMetadataUrl}"`,
          )
          .json({ error });
      };
      const [scheme, token] = (req.headers.authorization ?? '').split(' ', 2) as [string, string | undefined];
      if (!token) {
        res
          .status(401)
          .set('WWW-Authenticate', `DPoP algs="${algs.join(' ')}", resource_metadata="${resourceMetadataUrl}"`)
          .json({ error: 'unauthorized' });
        return;
      }
      const grant = grantOf(token);
      if (!grant) return challenge('invalid_token', 'unknown or expired access token');
      if (!grant.jkt) {
        if (scheme.toLowerCase() !== 'bearer') return challenge('invalid_token', 'a Bearer token presented with the DPoP scheme');
        onGranted(req, token, grant);
        return next();
      }
      if (scheme.toLowerCase() !== 'dpop') return challenge('invalid_token', 'a DPoP-bound token presented as Bearer');
      const proof = req.headers.dpop;
      const checked = checkProof(Array.isArray(proof) ? proof.join(',') : proof, {
        htm: req.method,
        htu: urls.mcpUrl(),
        accessToken: token,
        seenJti: rsJti,
        algs,
        ...(options.rsNonce ? { nonce: rsNonce } : {}),
      });
      const seen: SeenProof = { where: 'mcp', proof: String(proof ?? ''), ...('jkt' in checked && checked.jkt ? { jkt: checked.jkt } : {}) };
      observations.proofs.push(seen);
      if ('error' in checked) {
        seen.refused = checked.error;
        if (checked.nonceOnly && checked.jkt === grant.jkt) {
          observations.rsNonceChallenges++;
          res.set('DPoP-Nonce', rsNonce);
          return challenge('use_dpop_nonce', 'a nonce is required');
        }
        return challenge('invalid_dpop_proof', checked.error);
      }
      seen.claims = checked.claims;
      if (checked.jkt !== grant.jkt) {
        seen.refused = 'key is not the one the token is bound to';
        return challenge('invalid_token', 'the proof is signed by another key than the token is bound to');
      }
      onGranted(req, token, grant);
      next();
    };

  return {
    observations,
    authorizationServer,
    resourceServer,
    metadata: () => (algs.length ? { dpop_signing_alg_values_supported: algs } : {}),
  };
}
