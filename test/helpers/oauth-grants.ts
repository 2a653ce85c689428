// The grants the SDK's authorization server does not implement, added to the test authorization
// server as a real one has them: the device authorization grant (RFC 8628) with its verification
// page, the client credentials grant with client_secret_basic, client_secret_post and
// private_key_jwt (RFC 7523) client authentication, each assertion verified with node:crypto, and
// the jwt-bearer grant (RFC 7523 section 2.1) for JWTs of trusted issuers: a workload's, or an
// identity assertion grant (ID-JAG) of an identity provider.
import { createPublicKey, randomBytes, randomUUID, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import express from 'express';
import type { OAuthClientInformationFull, OAuthTokens } from '@modelcontextprotocol/client';
import { verifyJwt } from './jwt.js';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface DeviceOptions {
  /** The polling interval the server asks for, in seconds (default 1). */
  interval?: number;
  /** The `expires_in` it announces (default 600 s). */
  expiresIn?: number;
  /** Ends the code this many milliseconds after it was issued, whatever `expires_in` said (an early expiry, as after a cancelled approval). */
  expireAfterMs?: number;
  /** Answers this many polls with `slow_down` before anything else; every later poll sooner than the interval so raised gets `slow_down` too. */
  slowDowns?: number;
  /** What a hostile server shows the user instead of its own code and page (read at each request, so a test may change it). */
  present?: { userCode?: string; verificationUri?: string; verificationUriComplete?: string };
}

export interface GrantIssuer {
  /** Issues tokens for a grant, or throws an OAuthError (bad resource, refused scope). */
  issue(grant: { clientId: string; scopes: string[]; resource?: string }, options: { refresh: boolean }): OAuthTokens;
  getClient(clientId: string): Promise<OAuthClientInformationFull | undefined>;
  checkResource(resource: string | undefined): string | undefined;
  issuer(): string;
}

/** What a device code went through, for the tests: when each poll arrived and what it was answered. */
export interface DeviceRecord {
  /** A secret of the client's: tests check that it never shows. */
  deviceCode: string;
  userCode: string;
  clientId: string;
  scopes: string[];
  resource?: string;
  state: 'pending' | 'approved' | 'denied' | 'done';
  polls: { at: number; answer: string }[];
}

/** The verified claims of each client assertion the token endpoint accepted, and the header it came with. */
export interface AcceptedAssertion {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

interface DeviceEntry extends DeviceRecord {
  issuedAt: number;
  expiresAt: number;
  interval: number;
  slowDowns: number;
}

const oauthError = (res: Response, error: string, description: string, status = 400) => res.status(status).json({ error, error_description: description });

/** The client's identity and authentication on a token or device request: Basic, the form body, or a JWT assertion. */
async function authenticate(
  req: Request,
  issuer: GrantIssuer,
  audiences: string[],
  seenJti: Set<string>,
  accepted: AcceptedAssertion[],
): Promise<OAuthClientInformationFull | string> {
  const body = req.body as Record<string, string>;
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (body.client_assertion_type === JWT_BEARER) {
    const parts = String(body.client_assertion ?? '').split('.');
    if (parts.length !== 3) return 'malformed client assertion';
    const [h, p, s] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string; kid?: string };
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const client = await issuer.getClient(String(claims.sub));
    const jwk = (client?.jwks as { keys?: JsonWebKey[] } | undefined)?.keys?.find((k) => header.kid === undefined || k.kid === header.kid);
    if (!client || !jwk) return 'unknown client or key';
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    const alg = key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
    if (header.alg !== alg) return `assertion signed with ${header.alg}, the key is for ${alg}`;
    const ok = verify('sha256', Buffer.from(`${h}.${p}`), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(s, 'base64url'));
    if (!ok) return 'bad assertion signature';
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== client.client_id || claims.sub !== client.client_id) return 'iss and sub must be the client_id';
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) return `aud ${String(claims.aud)} is not this server`;
    if (typeof claims.exp !== 'number' || claims.exp <= now || claims.exp > now + 300) return 'exp missing, past, or too far';
    if (typeof claims.jti !== 'string' || seenJti.has(claims.jti)) return 'jti missing or replayed';
    seenJti.add(claims.jti);
    accepted.push({ header, claims });
    return client;
  }
  let clientId = body.client_id;
  let secret = body.client_secret;
  if (basic) {
    const [id, pass] = Buffer.from(basic[1]!, 'base64').toString().split(':') as [string, string];
    clientId = decodeURIComponent(id);
    secret = decodeURIComponent(pass ?? '');
  }
  const client = clientId ? await issuer.getClient(clientId) : undefined;
  if (!client) return 'unknown client';
  if (client.client_secret !== undefined && client.client_secret !== secret) return 'wrong client secret';
  return client;
}

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Who may present JWTs as grants: their issuers with their keys (ES256). */
export interface JwtBearerTrust {
  issuers: { issuer: string; key: KeyObject }[];
  /** ID-JAG (SEP-990): the header's typ must be oauth-id-jag+jwt, its client_id the authenticated client, its resource the request's. */
  idJag?: boolean;
}

/** A jwt-bearer grant the token endpoint answered: the JWT's verified parts, and what it answered. */
export interface BearerGrant {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  clientId: string;
  answer: 'tokens' | string;
}

export interface GrantHandlers {
  router: Router;
  devices: DeviceRecord[];
  assertions: AcceptedAssertion[];
  bearerGrants: BearerGrant[];
  /** The grant types and auth methods to add to the metadata. */
  metadata(): Record<string, unknown>;
}

/** Express handlers for `/device_authorization`, `/device` and the device and client credentials grants at `/token`. */
export function grantHandlers(
  issuer: GrantIssuer,
  options: { device?: DeviceOptions; clientCredentials?: boolean; jwtBearer?: JwtBearerTrust; origin: () => string },
): GrantHandlers {
  const router = express.Router();
  const entries = new Map<string, DeviceEntry>();
  const devices: DeviceRecord[] = [];
  const assertions: AcceptedAssertion[] = [];
  const bearerGrants: BearerGrant[] = [];
  const seenJti = new Set<string>();
  const audiences = () => [issuer.issuer(), `${options.origin()}/token`];
  /** The request's resource as the issuer accepts it; undefined when it was refused (and the refusal sent). */
  const resourceOf = (req: Request, res: Response): { resource: string | undefined } | undefined => {
    try {
      return { resource: issuer.checkResource(req.body.resource) };
    } catch (error) {
      oauthError(res, 'invalid_target', (error as Error).message);
      return undefined;
    }
  };

  if (options.device) {
    const device = options.device;
    router.post('/device_authorization', async (req, res) => {
      const client = await authenticate(req, issuer, audiences(), seenJti, assertions);
      if (typeof client === 'string') return oauthError(res, 'invalid_client', client, 401);
      const checked = resourceOf(req, res);
      if (!checked) return;
      const { resource } = checked;
      const deviceCode = randomUUID();
      const userCode = device.present?.userCode ?? `${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}`.toUpperCase();
      const now = Date.now();
      const expiresIn = device.expiresIn ?? 600;
      const entry: DeviceEntry = {
        deviceCode,
        userCode,
        clientId: client.client_id,
        scopes: String(req.body.scope ?? '')
          .split(' ')
          .filter(Boolean),
        ...(resource ? { resource } : {}),
        state: 'pending',
        polls: [],
        issuedAt: now,
        expiresAt: now + (device.expireAfterMs ?? expiresIn * 1000),
        interval: device.interval ?? 1,
        slowDowns: device.slowDowns ?? 0,
      };
      entries.set(deviceCode, entry);
      devices.push(entry);
      const page = `${options.origin()}/device`;
      res.json({
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: device.present?.verificationUri ?? page,
        verification_uri_complete: device.present?.verificationUriComplete ?? `${page}?user_code=${encodeURIComponent(userCode)}`,
        expires_in: expiresIn,
        interval: entry.interval,
      });
    });
    // The page the user opens: visiting it with the code approves (as the demo server approves logins), `&deny=1` refuses.
    router.get('/device', (req, res) => {
      const entry = [...entries.values()].find((e) => e.userCode === req.query.user_code);
      if (!entry || entry.state !== 'pending') return res.status(400).type('text').send('unknown or used code');
      entry.state = req.query.deny ? 'denied' : 'approved';
      res.type('html').send(`<!doctype html><title>Device</title><p>${entry.state}</p>`);
    });
  }

  router.post('/token', async (req, res, next) => {
    const grantType = req.body?.grant_type;
    if (grantType === DEVICE_GRANT && options.device) {
      const client = await authenticate(req, issuer, audiences(), seenJti, assertions);
      if (typeof client === 'string') return oauthError(res, 'invalid_client', client, 401);
      const entry = entries.get(String(req.body.device_code));
      if (!entry || entry.clientId !== client.client_id) return oauthError(res, 'invalid_grant', 'unknown device code');
      const now = Date.now();
      const answer = (error: string) => {
        entry.polls.push({ at: now, answer: error });
        return oauthError(res, error, `device code ${error}`);
      };
      if (now >= entry.expiresAt) return answer('expired_token');
      const since = entry.polls.at(-1)?.at ?? entry.issuedAt;
      if (entry.slowDowns > 0) {
        entry.slowDowns--;
        entry.interval += 5;
        return answer('slow_down');
      }
      // A client that polls faster than it was told gets slow_down, as RFC 8628 section 3.5 has it (a little slack for timers).
      if (now - since < entry.interval * 1000 - 250) {
        entry.interval += 5;
        return answer('slow_down');
      }
      if (entry.state === 'pending') return answer('authorization_pending');
      if (entry.state === 'denied') return answer('access_denied');
      if (entry.state === 'done') return answer('invalid_grant');
      const checked = resourceOf(req, res);
      if (!checked) return;
      const { resource } = checked;
      if (resource !== entry.resource) return oauthError(res, 'invalid_target', 'resource differs from the device authorization request');
      entry.state = 'done';
      entry.polls.push({ at: now, answer: 'tokens' });
      return res.json(issuer.issue({ clientId: client.client_id, scopes: entry.scopes, ...(resource ? { resource } : {}) }, { refresh: true }));
    }
    if (grantType === 'client_credentials' && options.clientCredentials) {
      const client = await authenticate(req, issuer, audiences(), seenJti, assertions);
      if (typeof client === 'string') return oauthError(res, 'invalid_client', client, 401);
      const checked = resourceOf(req, res);
      if (!checked) return;
      const { resource } = checked;
      const scopes = String(req.body.scope ?? client.scope ?? '')
        .split(' ')
        .filter(Boolean);
      return res.json(issuer.issue({ clientId: client.client_id, scopes, ...(resource ? { resource } : {}) }, { refresh: false }));
    }
    if (grantType === JWT_BEARER_GRANT && options.jwtBearer) {
      const trust = options.jwtBearer;
      const body = req.body as Record<string, string>;
      // The client authenticates when it names itself (section 3.1 makes it optional); a workload alone is its JWT's subject.
      const named = body.client_id !== undefined || body.client_assertion !== undefined || req.headers.authorization !== undefined;
      const client = named ? await authenticate(req, issuer, audiences(), seenJti, assertions) : undefined;
      if (typeof client === 'string') return oauthError(res, 'invalid_client', client, 401);
      const jwt = String(body.assertion ?? '');
      const claimed = (() => {
        try {
          return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
        } catch {
          return {};
        }
      })();
      const key = trust.issuers.find((t) => t.issuer === claimed.iss)?.key;
      const decoded = key ? verifyJwt(jwt, key) : undefined;
      const refuse = (reason: string) => {
        bearerGrants.push({ header: decoded?.header ?? {}, claims: claimed, clientId: client?.client_id ?? '', answer: reason });
        return oauthError(res, 'invalid_grant', reason);
      };
      if (!decoded) return refuse(key ? 'JWT signature does not verify' : `JWT issuer ${String(claimed.iss)} is not trusted`);
      const { header, claims } = decoded;
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return refuse('JWT expired');
      const aud = [claims.aud].flat();
      if (!aud.some((a) => typeof a === 'string' && audiences().includes(a))) return refuse(`JWT audience ${String(claims.aud)} is not this server`);
      const checked = resourceOf(req, res);
      if (!checked) return;
      const { resource } = checked;
      if (trust.idJag) {
        if (header.typ !== 'oauth-id-jag+jwt') return refuse(`ID-JAG typ ${String(header.typ)}`);
        if (!client || claims.client_id !== client.client_id) return refuse('ID-JAG client_id is not the authenticated client');
        if (claims.resource !== resource) return refuse('ID-JAG resource is not the requested resource');
      }
      const clientId = client?.client_id ?? String(claims.sub);
      bearerGrants.push({ header, claims, clientId, answer: 'tokens' });
      const scopes = String(body.scope ?? '')
        .split(' ')
        .filter(Boolean);
      return res.json(issuer.issue({ clientId, scopes, ...(resource ? { resource } : {}) }, { refresh: false }));
    }
    next();
  });

  return {
    router,
    devices,
    assertions,
    bearerGrants,
    metadata: () => ({
      ...(options.device ? { device_authorization_endpoint: `${options.origin()}/device_authorization` } : {}),
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        ...(options.device ? [DEVICE_GRANT] : []),
        ...(options.clientCredentials ? ['client_credentials'] : []),
        ...(options.jwtBearer ? [JWT_BEARER_GRANT] : []),
      ],
      ...(options.clientCredentials || options.jwtBearer
        ? {
            token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
            token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256'],
          }
        : {}),
    }),
  };
}
