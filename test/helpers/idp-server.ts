// An enterprise identity provider on 127.0.0.1 for enterprise-managed authorization (SEP-990): an
// OpenID provider (authorization code with PKCE S256, state, nonce, iss on the redirect; refresh
// tokens) that also exchanges its own ID tokens (RFC 8693) for identity assertion grants (ID-JAG) for
// the authorization servers it trusts. Its tokens are ES256 JWTs verified with node:crypto; every
// request is recorded for the tests.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { newSigningKey, nowSeconds, s256, signJwt, verifyJwt, type SigningKey } from './jwt.js';
import { SENTINEL } from './oauth-servers.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const ID_JAG_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';

export interface IdpOptions {
  clientId: string;
  clientSecret?: string;
  /** The authorization servers (issuer) it issues ID-JAGs for, with the client each one knows the user's app as. */
  audiences: Record<string, string>;
  /** The user who signs in. */
  subject?: string;
  idTokenTtl?: number;
}

export interface IdpRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  query: Record<string, string>;
  body: Record<string, string>;
}

export interface Idp {
  issuer: string;
  key: SigningKey;
  requests: IdpRequest[];
  /** The ID tokens and ID-JAGs it issued, and its refresh tokens (sentinels), for leak checks. */
  issued: string[];
  /** Signs an ID token as this provider would (for `--id-token-stdin`). */
  idToken(claims?: Record<string, unknown>): string;
  /** Every refresh token it issued stops working (the user was signed out at the provider). */
  revokeAll(): void;
  close(): Promise<void>;
}

export async function startIdp(options: IdpOptions): Promise<Idp> {
  const key = newSigningKey();
  const app = express();
  const requests: IdpRequest[] = [];
  const issued: string[] = [];
  const codes = new Map<string, { challenge: string; redirect: string; nonce: string }>();
  const refreshTokens = new Set<string>();
  let issuer = '';
  const idToken = (claims: Record<string, unknown> = {}) => {
    const token = signJwt(key.privateKey, {
      iss: issuer,
      aud: options.clientId,
      sub: options.subject ?? 'alice@example.com',
      iat: nowSeconds(),
      exp: nowSeconds() + (options.idTokenTtl ?? 3600),
      ...claims,
    });
    issued.push(token);
    return token;
  };
  const refreshToken = () => {
    const token = `${SENTINEL}-IDP-RT-${randomBytes(8).toString('hex')}`;
    refreshTokens.add(token);
    issued.push(token);
    return token;
  };
  const error = (res: Response, code: string, description: string, status = 400) => res.status(status).json({ error: code, error_description: description });
  const clientOk = (req: Request) => {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    const [id, secret] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':').map(decodeURIComponent) : [req.body.client_id, req.body.client_secret];
    return id === options.clientId && (options.clientSecret === undefined || secret === options.clientSecret);
  };

  app.use(express.urlencoded({ extended: false }));
  app.use((req, _res, next) => {
    requests.push({
      method: req.method,
      path: req.path,
      authorization: req.headers.authorization,
      query: req.query as Record<string, string>,
      body: req.body ?? {},
    });
    next();
  });
  app.get('/.well-known/openid-configuration', (_req, res) =>
    res.json({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE],
      scopes_supported: ['openid', 'email', 'offline_access'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: options.clientSecret ? ['client_secret_basic'] : ['none'],
      authorization_response_iss_parameter_supported: true,
    }),
  );
  // Approves at once, as a provider with a live session does.
  app.get('/authorize', (req, res) => {
    const q = req.query as Record<string, string>;
    const redirect = new URL(q.redirect_uri ?? '');
    if (q.client_id !== options.clientId || redirect.hostname !== '127.0.0.1' || q.code_challenge_method !== 'S256' || !q.code_challenge || !q.nonce)
      return void res.status(400).send('bad authorization request');
    if (!String(q.scope).split(' ').includes('openid')) return void res.status(400).send('not an OpenID request');
    const code = randomBytes(16).toString('hex');
    codes.set(code, { challenge: q.code_challenge, redirect: q.redirect_uri!, nonce: q.nonce });
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('state', q.state ?? '');
    redirect.searchParams.set('iss', issuer);
    res.redirect(redirect.href);
  });
  app.post('/token', (req, res) => {
    const body = req.body as Record<string, string>;
    if (!clientOk(req)) return error(res, 'invalid_client', 'unknown client or wrong secret', 401);
    if (body.grant_type === 'authorization_code') {
      const entry = codes.get(body.code ?? '');
      codes.delete(body.code ?? '');
      if (!entry || entry.redirect !== body.redirect_uri || s256(body.code_verifier ?? '') !== entry.challenge)
        return error(res, 'invalid_grant', 'bad code or verifier');
      return res.json({
        access_token: `${SENTINEL}-IDP-AT`,
        token_type: 'Bearer',
        expires_in: 3600,
        id_token: idToken({ nonce: entry.nonce }),
        refresh_token: refreshToken(),
      });
    }
    if (body.grant_type === 'refresh_token') {
      if (!refreshTokens.delete(body.refresh_token ?? '')) return error(res, 'invalid_grant', 'refresh token unknown or used');
      return res.json({ access_token: `${SENTINEL}-IDP-AT`, token_type: 'Bearer', expires_in: 3600, id_token: idToken(), refresh_token: refreshToken() });
    }
    if (body.grant_type === TOKEN_EXCHANGE) {
      if (body.subject_token_type !== ID_TOKEN_TYPE || body.requested_token_type !== ID_JAG_TYPE)
        return error(res, 'invalid_request', 'expects an ID token for an ID-JAG');
      const subject = verifyJwt(body.subject_token ?? '', key.publicKey);
      if (!subject || subject.claims.iss !== issuer || subject.claims.aud !== options.clientId)
        return error(res, 'invalid_grant', 'not an ID token of this provider');
      if ((subject.claims.exp as number) <= nowSeconds()) return error(res, 'invalid_grant', 'ID token expired');
      const client = options.audiences[body.audience ?? ''];
      if (!client) return error(res, 'invalid_target', `no grants for the audience ${body.audience}`);
      const grant = signJwt(
        key.privateKey,
        {
          iss: issuer,
          sub: subject.claims.sub,
          aud: body.audience,
          client_id: client,
          ...(body.resource ? { resource: body.resource } : {}),
          ...(body.scope ? { scope: body.scope } : {}),
          iat: nowSeconds(),
          exp: nowSeconds() + 300,
        },
        { typ: 'oauth-id-jag+jwt' },
      );
      issued.push(grant);
      return res.json({ access_token: grant, issued_token_type: ID_JAG_TYPE, token_type: 'N_A', expires_in: 300 });
    }
    return error(res, 'unsupported_grant_type', String(body.grant_type));
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    key,
    requests,
    issued,
    idToken,
    revokeAll: () => refreshTokens.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
