// A real OAuth authorization server (the SDK v1's mcpAuthRouter, which v2 no longer ships) and a real
// MCP server (the SDK v2's, both eras unless told otherwise) behind requireBearerAuth, both on 127.0.0.1 port 0, for the OAuth tests. Options add what the
// SDK's server lacks, as real servers have it: the device and client credentials grants
// (oauth-grants.ts), client ID metadata documents fetched over https, per-tool scopes answered with
// 403 insufficient_scope, servers without dynamic registration or refresh tokens, one that refuses the
// resource parameter (as Entra ID does), and servers of MCP 2025-03-26 (no protected resource metadata:
// the MCP server is its own authorization server, with or without metadata), and DPoP (dpop-checks.ts):
// tokens bound to the client's key, checked with every request at the MCP server.
import { randomUUID } from 'node:crypto';
import { get as httpsGet } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { DemoInMemoryAuthProvider } from '@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js';
import { mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidGrantError, InvalidScopeError, InvalidTargetError, InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { AuthorizationParams } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { OAuthClientInformationFull, OAuthMetadata, OAuthTokenRevocationRequest, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { dpopChecks, dpopRequest, type DpopObservations, type DpopServerOptions } from './dpop-checks.js';
import { grantHandlers, type AcceptedAssertion, type BearerGrant, type DeviceOptions, type DeviceRecord, type JwtBearerTrust } from './oauth-grants.js';
import { authOf, mcpHandler, type ServerEras, type TestServerSpec } from './mcp-servers.js';

/** Every token this server issues starts with this, so tests can grep for leaks. */
export const SENTINEL = 'SENTINEL';

export interface OAuthServersOptions {
  /** Lifetime of access tokens in seconds (default 3600). */
  accessTokenTtl?: number;
  /** Show a consent page with an Approve button instead of approving at once. */
  consentPage?: boolean;
  /** Advertise these PKCE methods (default ['S256']); [] leaves the field out. */
  codeChallengeMethods?: string[];
  /** Send `iss` on the authorization response (RFC 9207) and advertise it. */
  issParameter?: boolean;
  /** Offer the device authorization grant (RFC 8628). */
  device?: DeviceOptions;
  /** Offer the client credentials grant (secret or private_key_jwt). */
  clientCredentials?: boolean;
  /** Offer the jwt-bearer grant (RFC 7523) for JWTs of these issuers: workloads, or an identity provider's ID-JAGs. */
  jwtBearer?: JwtBearerTrust;
  /** Advertise client ID metadata documents and fetch https client IDs, trusting this CA. */
  metadataDocuments?: { ca: Buffer };
  /** Advertise dynamic client registration (default true). */
  registration?: boolean;
  /** The authorization server's scopes_supported (default ['mcp:tools']); the MCP server's stay ['mcp:tools']. */
  asScopes?: string[];
  /** Issue refresh tokens (default true). */
  refreshTokens?: boolean;
  /** Refuse any request carrying `resource` (invalid_target, as Entra ID's AADSTS9010010), and check no audience at the MCP server. */
  refuseResource?: boolean;
  /** Refuse authorization requests for scopes outside the client's registered `scope` (RFC 7591 section 2), as stricter servers do. */
  registeredScopes?: boolean;
  /**
   * Tools that need a scope: a call with a token that lacks it is answered 403 insufficient_scope. A tool
   * needing several (space-separated) is refused for the first one missing only, as servers that name the
   * scopes of the current operation do (SEP-2350).
   */
  toolScopes?: Record<string, string>;
  /** Tools answered 403 insufficient_scope for their scope whatever the token holds (a misconfigured server). */
  stubbornTools?: Record<string, string>;
  /** Answer revocation requests with a 307 to this URL (a compromised or misconfigured endpoint). */
  revocationRedirect?: string;
  /**
   * A careless MCP server that hands back the access token it received: in its name, `echo-token`
   * (encoded as asked), `reject-token` (an error result naming it), `http-error-token` (HTTP 500
   * naming it); the tools of `toolScopes` name it too.
   */
  echoToken?: boolean;
  /** The protocol eras the MCP server speaks (default both). */
  eras?: ServerEras;
  /** The scope the MCP server's 401 names in WWW-Authenticate (and requires of every request). */
  challengeScope?: string[];
  /** The protected resource metadata's scopes_supported (default ['mcp:tools']); [] leaves the field out. */
  resourceScopes?: string[];
  /**
   * A server of MCP 2025-03-26: no protected resource metadata, the authorization server on the MCP
   * server's own origin, with its metadata there (`metadata`) or none at all (`default-endpoints`:
   * only /authorize, /token and /register).
   */
  legacy?: 'metadata' | 'default-endpoints';
  /** Offer DPoP (RFC 9449): tokens bound to the key of a token request's proof, the MCP server checking a proof with each. */
  dpop?: DpopServerOptions;
}

export interface Counters {
  register: number;
  authorize: number;
  codeGrant: number;
  refreshGrant: number;
  revoke: number;
  /** MCP requests answered 401. */
  unauthorized: number;
}

interface Grant {
  clientId: string;
  scopes: string[];
  resource?: string;
  /** The thumbprint of the DPoP key the token is bound to (its `cnf.jkt`). */
  jkt?: string;
  /** The user who approved the authorization (`signedInAs` then). */
  subject?: string;
}

interface Pending {
  client: OAuthClientInformationFull;
  params: AuthorizationParams;
  /** The DPoP key the authorization request bound the code to (`dpop_jkt`, RFC 9449 section 10). */
  dpopJkt?: string;
  subject: string;
}

/**
 * The SDK's demo provider, made to behave like a real one: short-lived access tokens,
 * rotating refresh tokens (each one works once), the audience checked, revocation.
 */
export class TestAuthProvider extends DemoInMemoryAuthProvider {
  readonly counters: Counters = { register: 0, authorize: 0, codeGrant: 0, refreshGrant: 0, revoke: 0, unauthorized: 0 };
  /** Client ID metadata documents fetched, by URL. */
  readonly documentFetches: string[] = [];
  private readonly pendingCodes = new Map<string, Pending>();
  private readonly accessTokens = new Map<string, Grant & { expiresAt: number }>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly consents = new Map<string, Pending>();
  /** The user signed in at this server's login page: who the next authorizations are for (a test switches users here). */
  signedInAs = 'user';
  /** Lifetime in seconds of the access tokens issued from now on (a test may change it between phases). */
  accessTokenTtl: number;

  constructor(
    /** The resource its tokens are for: the MCP server that names this authorization server (changed when another one does). */
    public expectedResource: () => string,
    private readonly options: OAuthServersOptions,
    readonly issuer: () => string,
  ) {
    super();
    this.accessTokenTtl = options.accessTokenTtl ?? 3600;
    const store = this.clientsStore;
    const stored = store.getClient.bind(store);
    store.getClient = async (clientId: string) =>
      options.metadataDocuments && clientId.startsWith('https://') ? this.fetchDocument(clientId) : stored(clientId);
  }

  /** A client ID metadata document: fetched from its https URL (on this machine only: tests reach no other), its client_id must be that URL. */
  private async fetchDocument(url: string): Promise<OAuthClientInformationFull | undefined> {
    this.documentFetches.push(url);
    if (new URL(url).hostname !== '127.0.0.1') return undefined;
    const text = await new Promise<string>((resolve, reject) => {
      httpsGet(url, { ca: this.options.metadataDocuments!.ca }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
      }).on('error', reject);
    });
    const doc = JSON.parse(text) as OAuthClientInformationFull;
    return doc.client_id === url && Array.isArray(doc.redirect_uris) ? { ...doc, token_endpoint_auth_method: 'none' } : undefined;
  }

  /** The resource a request names, checked: this server's MCP server, or none where the server refuses resource indicators. */
  checkResource(resource: string | undefined): string | undefined {
    if (this.options.refuseResource) {
      if (resource !== undefined) throw new InvalidTargetError('AADSTS9010010: the resource parameter is not supported with these scopes');
      return undefined;
    }
    if (resource !== this.expectedResource()) throw new InvalidGrantError(`resource ${resource} is not this server's`);
    return resource;
  }

  override async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: Response): Promise<void> {
    this.counters.authorize++;
    this.checkResource(params.resource?.href);
    const registered = client.scope?.split(' ');
    if (this.options.registeredScopes && registered && !params.scopes?.every((s) => registered.includes(s)))
      throw new InvalidScopeError(`the client was registered for "${client.scope}" only`);
    const dpopJkt = dpopRequest.getStore()?.authorizeJkt;
    const pending = { client, params, subject: this.signedInAs, ...(dpopJkt ? { dpopJkt } : {}) };
    if (!this.options.consentPage) {
      res.redirect(this.approve(pending));
      return;
    }
    const id = randomUUID();
    this.consents.set(id, pending);
    res
      .type('html')
      .send(
        `<!doctype html><title>Authorize</title><h1>Allow ${escapeHtml(client.client_name ?? client.client_id)}?</h1>` +
          `<form method="post" action="/consent"><input type="hidden" name="id" value="${id}">` +
          `<button type="submit" id="approve">Approve</button></form>`,
      );
  }

  /** The consent form's target: approves and redirects to the client. */
  consent(req: Request, res: Response): void {
    const pending = this.consents.get(String(req.body?.id));
    if (!pending) {
      res.status(400).send('unknown consent request');
      return;
    }
    this.consents.delete(String(req.body.id));
    res.redirect(this.approve(pending));
  }

  private approve(pending: Pending): string {
    const code = randomUUID();
    this.pendingCodes.set(code, pending);
    const target = new URL(pending.params.redirectUri);
    target.searchParams.set('code', code);
    if (pending.params.state !== undefined) target.searchParams.set('state', pending.params.state);
    if (this.options.issParameter) target.searchParams.set('iss', this.issuer());
    return target.href;
  }

  override async challengeForAuthorizationCode(_client: OAuthClientInformationFull, code: string): Promise<string> {
    const pending = this.pendingCodes.get(code);
    if (!pending) throw new InvalidGrantError('unknown authorization code');
    return pending.params.codeChallenge;
  }

  override async exchangeAuthorizationCode(
    client: OAuthClientInformationFull,
    code: string,
    _verifier?: string,
    _redirectUri?: string,
    tokenResource?: URL,
  ): Promise<OAuthTokens> {
    this.counters.codeGrant++;
    const pending = this.pendingCodes.get(code);
    if (!pending || pending.client.client_id !== client.client_id) throw new InvalidGrantError('unknown authorization code');
    this.pendingCodes.delete(code);
    if (pending.dpopJkt !== undefined && dpopRequest.getStore()?.jkt !== pending.dpopJkt)
      throw new InvalidGrantError('the authorization code is bound to another DPoP key');
    if (this.options.refuseResource && tokenResource !== undefined) throw new InvalidTargetError('AADSTS9010010: the resource parameter is not supported');
    const resource = this.checkResource(pending.params.resource?.href);
    return this.issue({ clientId: client.client_id, scopes: pending.params.scopes ?? [], resource, subject: pending.subject });
  }

  override async exchangeRefreshToken(client: OAuthClientInformationFull, refreshToken: string, _scopes?: string[], resource?: URL): Promise<OAuthTokens> {
    this.counters.refreshGrant++;
    if (this.options.refuseResource && resource !== undefined) throw new InvalidTargetError('AADSTS9010010: the resource parameter is not supported');
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant || grant.clientId !== client.client_id) throw new InvalidGrantError('refresh token is invalid, used or revoked');
    if (resource !== undefined && resource.href !== grant.resource) throw new InvalidGrantError('refresh token was issued for another resource');
    if (grant.jkt !== undefined && dpopRequest.getStore()?.jkt !== grant.jkt) throw new InvalidGrantError('the refresh token is bound to another DPoP key');
    this.refreshTokens.delete(refreshToken);
    return this.issue(grant);
  }

  override async verifyAccessToken(token: string): Promise<AuthInfo> {
    const grant = this.accessTokens.get(token);
    if (!grant) throw new InvalidTokenError('unknown or revoked access token');
    if (grant.expiresAt <= Date.now()) throw new InvalidTokenError('access token expired');
    return {
      token,
      clientId: grant.clientId,
      scopes: grant.scopes,
      expiresAt: Math.floor(grant.expiresAt / 1000),
      resource: grant.resource ? new URL(grant.resource) : undefined,
      ...(grant.subject !== undefined ? { extra: { subject: grant.subject } } : {}),
    };
  }

  async revokeToken(_client: OAuthClientInformationFull, request: OAuthTokenRevocationRequest): Promise<void> {
    this.counters.revoke++;
    this.refreshTokens.delete(request.token);
    this.accessTokens.delete(request.token);
  }

  /** An access token's grant, with its DPoP binding: undefined when unknown, revoked or expired (as introspection answers). */
  grantOf(token: string): (Grant & { expiresAt: number }) | undefined {
    const grant = this.accessTokens.get(token);
    return grant && grant.expiresAt > Date.now() ? grant : undefined;
  }

  /** Makes every access token expire now (the refresh tokens stay valid). */
  expireAccessTokens(): void {
    for (const grant of this.accessTokens.values()) grant.expiresAt = Date.now() - 1000;
  }

  /** Forgets every refresh token, as a server does when the user revokes access. */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  get liveRefreshTokens(): number {
    return this.refreshTokens.size;
  }

  issue(grant: Grant, { refresh = this.options.refreshTokens !== false } = {}): OAuthTokens {
    const ttl = this.accessTokenTtl;
    const access = `${SENTINEL}-AT-${randomUUID()}`;
    // The key of the request's DPoP proof binds the tokens; a server that declines binds the refresh token only (RFC 9449 section 5).
    const { jkt } = dpopRequest.getStore() ?? {};
    const bound = jkt !== undefined && !this.options.dpop?.bearerDespiteProof;
    this.accessTokens.set(access, { ...grant, jkt: bound ? jkt : undefined, expiresAt: Date.now() + ttl * 1000 });
    const tokens: OAuthTokens = { access_token: access, token_type: bound ? 'DPoP' : 'Bearer', expires_in: ttl, scope: grant.scopes.join(' ') };
    if (!refresh) return tokens;
    const refreshToken = `${SENTINEL}-RT-${randomUUID()}`;
    this.refreshTokens.set(refreshToken, { ...grant, jkt });
    return { ...tokens, refresh_token: refreshToken };
  }
}

const TOKEN_ENCODINGS = { plain: (t: string) => t, url: encodeURIComponent, base64: (t: string) => Buffer.from(`token=${t}`).toString('base64') };

/** The tools of a server that hands back the token it got (`echoToken`); the description names it too. */
function registerEchoTools(server: Parameters<TestServerSpec['register']>[0]): void {
  server.registerTool(
    'echo-token',
    { description: 'Echoes the token', inputSchema: z.object({ encoding: z.enum(['plain', 'url', 'base64']).optional() }) },
    async ({ encoding }, ctx) => ({
      content: [{ type: 'text', text: `Authorization: Bearer ${TOKEN_ENCODINGS[encoding ?? 'plain'](authOf(ctx)?.token ?? '')}` }],
    }),
  );
  server.registerTool('reject-token', { description: 'Refuses the token, naming it' }, async (ctx) => ({
    isError: true,
    content: [{ type: 'text', text: `invalid token ${authOf(ctx)?.token}` }],
  }));
  // Listed, but its calls are answered with HTTP 500 before they reach the server.
  server.registerTool('http-error-token', { description: 'Fails with HTTP 500 naming the token' }, async () => ({ content: [] }));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function listen(app: express.Express): Promise<{ server: Server; origin: string }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (error?: Error) => {
      if (error) return reject(error);
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    });
  });
}

/** A request the authorization server received, for tests that check what was sent where. */
export interface AuthServerRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** The query string's parameters, as JSON text. */
  query: string;
  /** The parsed form or JSON body, as JSON text. */
  body: string;
  /** When it arrived (Date.now()). */
  at: number;
}

export interface OAuthServers {
  /** Every request to the authorization server, in order. */
  requests: AuthServerRequest[];
  /** The MCP endpoint: `http://127.0.0.1:PORT/mcp`. */
  mcpUrl: string;
  /** The authorization server's issuer URL (with a trailing slash, as the SDK writes it). */
  issuer: string;
  /** The authorization server's origin (its token endpoint is `${origin}/token`). */
  origin: string;
  provider: TestAuthProvider;
  counters: Counters;
  /** Each device code issued and every poll for it (RFC 8628). */
  devices: DeviceRecord[];
  /** The client assertions the token endpoint accepted (private_key_jwt). */
  assertions: AcceptedAssertion[];
  /** With `dpop`: every proof received and what became of it, the refusals, the nonce challenges. */
  dpop: DpopObservations;
  /** Every jwt-bearer grant the token endpoint answered, with the JWT's parts. */
  bearerGrants: BearerGrant[];
  /** The MCP server's protected resource metadata names `other`'s authorization server from now on, and accepts its tokens. */
  useAuthorizationServer(other: OAuthServers): void;
  close(): Promise<void>;
}

/** Everything the authorization server received that names a resource indicator, in the query or the body. */
export function requestsWithResource(requests: AuthServerRequest[]): AuthServerRequest[] {
  return requests.filter((r) => 'resource' in JSON.parse(r.query) || 'resource' in JSON.parse(r.body));
}

export async function startOAuthServers(options: OAuthServersOptions = {}): Promise<OAuthServers> {
  const mcpApp = express();
  const authApp = options.legacy ? mcpApp : express();
  const rs = await listen(mcpApp);
  const as = options.legacy ? rs : await listen(authApp);
  const issuerUrl = new URL(`${as.origin}/`);
  const mcpUrl = `${rs.origin}/mcp`;
  const provider = new TestAuthProvider(
    () => mcpUrl,
    options,
    () => issuerUrl.href,
  );
  const counters = provider.counters;
  const grants = grantHandlers(
    {
      issue: (grant, { refresh }) => provider.issue(grant, { refresh: refresh && options.refreshTokens !== false }),
      getClient: (id) => provider.clientsStore.getClient(id),
      checkResource: (resource) => provider.checkResource(resource),
      issuer: () => issuerUrl.href,
    },
    {
      ...(options.device ? { device: options.device } : {}),
      ...(options.jwtBearer ? { jwtBearer: options.jwtBearer } : {}),
      clientCredentials: options.clientCredentials === true,
      origin: () => as.origin,
    },
  );

  const dpop = dpopChecks(options.dpop ?? {}, { tokenEndpoint: () => `${as.origin}/token`, mcpUrl: () => mcpUrl });
  const requests: AuthServerRequest[] = [];
  // Parsed here once (the SDK's handlers then skip parsing), so that a test can see what each request carried.
  authApp.use(express.urlencoded({ extended: false }), express.json());
  authApp.use((req, _res, next) => {
    if (req.method === 'POST' && req.path === '/register') counters.register++;
    requests.push({
      method: req.method,
      path: req.path,
      authorization: req.headers.authorization,
      query: JSON.stringify(req.query ?? {}),
      body: JSON.stringify(req.body ?? {}),
      at: Date.now(),
    });
    next();
  });
  authApp.use((req, res, next) => {
    if (req.path !== '/.well-known/oauth-authorization-server') return next();
    // Lets a test shape the advertised metadata (PKCE methods, RFC 9207 support, grants, registration).
    const json = res.json.bind(res);
    res.json = (body: OAuthMetadata & Record<string, unknown>) => {
      const methods = options.codeChallengeMethods ?? ['S256'];
      if (methods.length === 0) delete body.code_challenge_methods_supported;
      else body.code_challenge_methods_supported = methods;
      if (options.issParameter) body.authorization_response_iss_parameter_supported = true;
      if (options.metadataDocuments) body.client_id_metadata_document_supported = true;
      if (options.registration === false) delete body.registration_endpoint;
      if (options.asScopes) body.scopes_supported = options.asScopes;
      return json({ ...body, ...grants.metadata(), ...(options.dpop ? dpop.metadata() : {}) });
    };
    next();
  });
  // The SDK's router publishes protected resource metadata too, which servers of 2025-03-26 did not have.
  const unpublished = { metadata: ['/.well-known/oauth-protected-resource'], 'default-endpoints': ['/.well-known/'] };
  if (options.legacy) authApp.use(unpublished[options.legacy], (_req, res) => void res.status(404).end());
  if (options.dpop) authApp.use(dpop.authorizationServer);
  authApp.use(grants.router);
  const revocationRedirect = options.revocationRedirect;
  if (revocationRedirect) authApp.post('/revoke', (_req, res) => res.redirect(307, revocationRedirect));
  const noLimit = { rateLimit: false as const };
  authApp.use(
    mcpAuthRouter({
      provider,
      issuerUrl,
      scopesSupported: ['mcp:tools'],
      authorizationOptions: noLimit,
      tokenOptions: noLimit,
      clientRegistrationOptions: noLimit,
      revocationOptions: noLimit,
    }),
  );
  authApp.post('/consent', express.urlencoded({ extended: false }), (req, res) => provider.consent(req, res));

  // The MCP server's protected resource metadata (RFC 9728), naming whichever authorization server it uses now.
  let current: { issuer: string; provider: TestAuthProvider } = { issuer: issuerUrl.href, provider };
  const resourceMetadataUrl = `${rs.origin}/.well-known/oauth-protected-resource/mcp`;
  const resourceScopes = options.resourceScopes ?? ['mcp:tools'];
  if (!options.legacy)
    mcpApp.get(['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'], (_req, res) => {
      res.json({
        resource: mcpUrl,
        authorization_servers: [current.issuer],
        ...(resourceScopes.length ? { scopes_supported: resourceScopes } : {}),
        resource_name: 'OAuth test server',
        ...(options.dpop?.resourceRequires ? { ...dpop.metadata(), dpop_bound_access_tokens_required: true } : {}),
      });
    });
  const bearer: express.RequestHandler = options.dpop
    ? dpop.resourceServer(
        (token) => {
          const grant = current.provider.grantOf(token);
          // The audience, as the SDK's bearer check has it (unless the authorization server refuses resource indicators).
          return grant && (options.refuseResource || grant.resource === mcpUrl) ? grant : undefined;
        },
        resourceMetadataUrl,
        (req, token, grant) => {
          req.auth = {
            token,
            clientId: grant.clientId,
            scopes: grant.scopes,
            expiresAt: Math.floor(grant.expiresAt / 1000),
            ...(grant.subject !== undefined ? { extra: { subject: grant.subject } } : {}),
          };
        },
      )
    : requireBearerAuth({
        verifier: { verifyAccessToken: (token) => current.provider.verifyAccessToken(token) },
        ...(options.legacy ? {} : { resourceMetadataUrl }),
        ...(options.challengeScope ? { requiredScopes: options.challengeScope } : {}),
        // A server whose authorization server refuses resource indicators gets audiences some other way (Entra ID: the scope).
        ...(options.refuseResource ? {} : { expectedResource: new URL(mcpUrl) }),
      });
  mcpApp.use('/mcp', (req, res, next) => {
    res.on('finish', () => {
      if (res.statusCode === 401) counters.unauthorized++;
    });
    next();
  });
  const scoped = { ...options.toolScopes, ...options.stubbornTools };
  const serve = mcpHandler(options.eras, {
    name: options.echoToken ? (auth) => `oauth-test-server (${auth?.token})` : 'oauth-test-server',
    version: '1.0.0',
    register(server) {
      server.registerTool(
        'whoami',
        { description: 'Says which OAuth client called', inputSchema: z.object({ greeting: z.string().optional() }) },
        async ({ greeting }, ctx) => ({ content: [{ type: 'text', text: `${greeting ?? 'hello'} ${authOf(ctx)?.clientId ?? 'nobody'}` }] }),
      );
      server.registerTool('signed-in-as', { description: 'Says which user the token was issued to' }, async (ctx) => ({
        content: [{ type: 'text', text: `signed in as ${String(authOf(ctx)?.extra?.subject ?? 'nobody')}` }],
      }));
      for (const [name, scope] of Object.entries(scoped))
        server.registerTool(name, { description: `Needs ${scope}` }, async (ctx) => ({
          content: [{ type: 'text', text: `${name} done with ${authOf(ctx)?.scopes.join(' ')}${options.echoToken ? ` token=${authOf(ctx)?.token}` : ''}` }],
        }));
      if (options.echoToken) registerEchoTools(server);
    },
  });
  mcpApp.all('/mcp', bearer, express.json(), async (req, res, next) => {
    // A tool that needs a scope the token lacks: 403 with the scope it needs (RFC 6750 section 3.1, MCP step-up).
    const call = req.body as { method?: string; params?: { name?: string } } | undefined;
    const tool = call?.method === 'tools/call' ? call.params?.name : undefined;
    const needed = tool !== undefined ? scoped[tool] : undefined;
    const refused = options.stubbornTools?.[tool!] ?? needed?.split(' ').find((scope) => !req.auth?.scopes.includes(scope));
    if (options.echoToken && tool === 'http-error-token') {
      res.status(500).type('text').send(`invalid token ${req.auth?.token}`);
      return;
    }
    if (refused) {
      res
        .status(403)
        .set(
          'WWW-Authenticate',
          `Bearer error="insufficient_scope", scope="${refused}", resource_metadata="${resourceMetadataUrl}", error_description="${tool} needs ${refused}"`,
        )
        .json({ error: 'insufficient_scope' });
      return;
    }
    await serve(req, res, next);
  });
  const closeServer = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    requests,
    mcpUrl,
    issuer: issuerUrl.href,
    origin: as.origin,
    provider,
    counters,
    devices: grants.devices,
    assertions: grants.assertions,
    dpop: dpop.observations,
    bearerGrants: grants.bearerGrants,
    useAuthorizationServer(other) {
      current = { issuer: other.issuer, provider: other.provider };
      other.provider.expectedResource = () => mcpUrl;
    },
    close: async () => {
      await Promise.all([...new Set([as.server, rs.server])].map(closeServer));
    },
  };
}
