// A real OAuth authorization server (the SDK's mcpAuthRouter) and a real MCP server
// behind requireBearerAuth, both on 127.0.0.1 port 0, for the OAuth tests.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { DemoInMemoryAuthProvider } from '@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js';
import { mcpAuthMetadataRouter, mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidGrantError, InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { AuthorizationParams } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { OAuthClientInformationFull, OAuthMetadata, OAuthTokenRevocationRequest, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

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
}

interface Pending {
  client: OAuthClientInformationFull;
  params: AuthorizationParams;
}

/**
 * The SDK's demo provider, made to behave like a real one: short-lived access tokens,
 * rotating refresh tokens (each one works once), the audience checked, revocation.
 */
export class TestAuthProvider extends DemoInMemoryAuthProvider {
  readonly counters: Counters = { register: 0, authorize: 0, codeGrant: 0, refreshGrant: 0, revoke: 0, unauthorized: 0 };
  private readonly pendingCodes = new Map<string, Pending>();
  private readonly accessTokens = new Map<string, Grant & { expiresAt: number }>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly consents = new Map<string, Pending>();

  constructor(
    readonly expectedResource: () => string,
    private readonly options: OAuthServersOptions,
    private readonly issuer: () => string,
  ) {
    super();
  }

  override async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: Response): Promise<void> {
    this.counters.authorize++;
    if (!this.options.consentPage) {
      res.redirect(this.approve({ client, params }));
      return;
    }
    const id = randomUUID();
    this.consents.set(id, { client, params });
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

  override async exchangeAuthorizationCode(client: OAuthClientInformationFull, code: string): Promise<OAuthTokens> {
    this.counters.codeGrant++;
    const pending = this.pendingCodes.get(code);
    if (!pending || pending.client.client_id !== client.client_id) throw new InvalidGrantError('unknown authorization code');
    this.pendingCodes.delete(code);
    const resource = pending.params.resource?.href;
    if (resource !== this.expectedResource()) throw new InvalidGrantError(`resource ${resource} is not this server's`);
    return this.issue({ clientId: client.client_id, scopes: pending.params.scopes ?? [], resource });
  }

  override async exchangeRefreshToken(client: OAuthClientInformationFull, refreshToken: string, _scopes?: string[], resource?: URL): Promise<OAuthTokens> {
    this.counters.refreshGrant++;
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant || grant.clientId !== client.client_id) throw new InvalidGrantError('refresh token is invalid, used or revoked');
    if (resource !== undefined && resource.href !== grant.resource) throw new InvalidGrantError('refresh token was issued for another resource');
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
    };
  }

  async revokeToken(_client: OAuthClientInformationFull, request: OAuthTokenRevocationRequest): Promise<void> {
    this.counters.revoke++;
    this.refreshTokens.delete(request.token);
    this.accessTokens.delete(request.token);
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

  private issue(grant: Grant): OAuthTokens {
    const ttl = this.options.accessTokenTtl ?? 3600;
    const access = `${SENTINEL}-AT-${randomUUID()}`;
    const refresh = `${SENTINEL}-RT-${randomUUID()}`;
    this.accessTokens.set(access, { ...grant, expiresAt: Date.now() + ttl * 1000 });
    this.refreshTokens.set(refresh, grant);
    return { access_token: access, token_type: 'Bearer', expires_in: ttl, refresh_token: refresh, scope: grant.scopes.join(' ') };
  }
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
  /** The parsed form or JSON body, as JSON text. */
  body: string;
}

export interface OAuthServers {
  /** Every request to the authorization server, in order. */
  requests: AuthServerRequest[];
  /** The MCP endpoint: `http://127.0.0.1:PORT/mcp`. */
  mcpUrl: string;
  /** The authorization server's issuer URL (with a trailing slash, as the SDK writes it). */
  issuer: string;
  provider: TestAuthProvider;
  counters: Counters;
  close(): Promise<void>;
}

export async function startOAuthServers(options: OAuthServersOptions = {}): Promise<OAuthServers> {
  const authApp = express();
  const mcpApp = express();
  const as = await listen(authApp);
  const rs = await listen(mcpApp);
  const issuerUrl = new URL(`${as.origin}/`);
  const mcpUrl = `${rs.origin}/mcp`;
  const provider = new TestAuthProvider(
    () => mcpUrl,
    options,
    () => issuerUrl.href,
  );
  const counters = provider.counters;

  const requests: AuthServerRequest[] = [];
  // Parsed here once (the SDK's handlers then skip parsing), so that a test can see what each request carried.
  authApp.use(express.urlencoded({ extended: false }), express.json());
  authApp.use((req, _res, next) => {
    if (req.method === 'POST' && req.path === '/register') counters.register++;
    requests.push({ method: req.method, path: req.path, authorization: req.headers.authorization, body: JSON.stringify(req.body ?? {}) });
    next();
  });
  authApp.use((req, res, next) => {
    if (req.path !== '/.well-known/oauth-authorization-server') return next();
    // Lets a test shape the advertised metadata (PKCE methods, RFC 9207 support).
    const json = res.json.bind(res);
    res.json = (body: OAuthMetadata & Record<string, unknown>) => {
      const methods = options.codeChallengeMethods ?? ['S256'];
      if (methods.length === 0) delete body.code_challenge_methods_supported;
      else body.code_challenge_methods_supported = methods;
      if (options.issParameter) body.authorization_response_iss_parameter_supported = true;
      return json(body);
    };
    next();
  });
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

  const oauthMetadata = (await (await fetch(`${as.origin}/.well-known/oauth-authorization-server`)).json()) as OAuthMetadata;
  mcpApp.use(mcpAuthMetadataRouter({ oauthMetadata, resourceServerUrl: new URL(mcpUrl), scopesSupported: ['mcp:tools'], resourceName: 'OAuth test server' }));
  const bearer = requireBearerAuth({
    verifier: provider,
    resourceMetadataUrl: `${rs.origin}/.well-known/oauth-protected-resource/mcp`,
    expectedResource: new URL(mcpUrl),
  });
  mcpApp.use('/mcp', (req, res, next) => {
    res.on('finish', () => {
      if (res.statusCode === 401) counters.unauthorized++;
    });
    next();
  });
  mcpApp.all('/mcp', bearer, express.json(), async (req, res) => {
    const server = new McpServer({ name: 'oauth-test-server', version: '1.0.0' });
    server.registerTool(
      'whoami',
      { description: 'Says which OAuth client called', inputSchema: { greeting: z.string().optional() } },
      async ({ greeting }, extra) => ({
        content: [{ type: 'text', text: `${greeting ?? 'hello'} ${extra.authInfo?.clientId ?? 'nobody'}` }],
      }),
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
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
    provider,
    counters,
    close: async () => {
      await Promise.all([closeServer(as.server), closeServer(rs.server)]);
    },
  };
}
