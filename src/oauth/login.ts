import type { Readable, Writable } from 'node:stream';
import { CancelledError, CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import type { Env } from '../paths.js';
import { StoreError } from '../stores/errors.js';
import type { TokenManager } from '../tokens/manager.js';
import { browserCommand, openBrowser } from './browser.js';
import { startLoopback } from './loopback.js';
import { readPastedRedirect } from './paste-back.js';
import { checkAuthorizationServer, StoreOAuthProvider } from './provider.js';
import { extraMetadata, sameIssuer, TOKENS_NAMESPACE, type SavedTokens } from './records.js';
import type { OAuthTarget } from './target.js';
import { checkOAuthUrl, policedFetch, urlForMessage } from './url-policy.js';

export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;

export interface LoginIo {
  env: Env;
  platform: NodeJS.Platform;
  stdin: Readable;
  stderr: Writable;
  now(): Date;
}

export interface LoginOptions {
  target: OAuthTarget;
  manager: TokenManager;
  io: LoginIo;
  /** Print the URL and read the redirected URL from stdin instead of opening a browser. */
  noBrowser?: boolean;
  scope?: string;
  timeoutMs?: number;
  /** Aborts the login (Ctrl-C). */
  signal?: AbortSignal;
  /** From a 401's WWW-Authenticate header (RFC 9728), when the login follows one. */
  resourceMetadataUrl?: URL;
}

/** What a 401 from the server says: where its resource metadata is, and which scope it wants. */
export async function probeChallenge(url: string): Promise<{ resourceMetadataUrl?: URL; scope?: string }> {
  const { extractWWWAuthenticateParams } = await import('@modelcontextprotocol/sdk/client/auth.js');
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'ping' }),
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return response.status === 401 ? extractWWWAuthenticateParams(response) : {};
  } catch {
    return {};
  }
}

/** Checks an authorization response: `state` must be ours, `iss` the server's (RFC 9207), and a code present. */
export function checkAuthorizationResponse(params: URLSearchParams, expectedState: string, issuer: string, issRequired: boolean): string {
  if (params.get('state') !== expectedState)
    throw new CliError('the authorization response carries a state that this login did not send; it was refused (possible cross-site request forgery)');
  const iss = params.get('iss');
  if (iss !== null && !sameIssuer(iss, issuer))
    throw new CliError(`the authorization response comes from issuer ${iss}, not ${issuer}; it was refused (RFC 9207)`);
  if (iss === null && issRequired)
    throw new CliError(`the authorization server ${issuer} promises an iss parameter, and the response has none; it was refused (RFC 9207)`);
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description');
    throw new CliError(`the authorization server refused the login: ${error}${description ? ` (${description})` : ''}`);
  }
  const code = params.get('code');
  if (!code) throw new CliError('the authorization response has no code');
  return code;
}

/**
 * The issuers a metadata document fetched from `url` may speak for: the one whose well-known
 * location `url` is (RFC 8414 section 3.1, or OpenID Connect discovery), if it is one.
 */
export function issuersOfMetadataUrl(url: URL): string[] {
  const path = url.pathname;
  const found: string[] = [];
  for (const marker of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    if (path.startsWith(marker)) found.push(`${url.origin}${path.slice(marker.length) || '/'}`);
    if (path.endsWith(marker)) found.push(`${url.origin}${path.slice(0, -marker.length) || '/'}`);
  }
  // Joined as text, a path could smuggle in another host ("...server@other.example"): keep only same-origin URLs.
  return found.filter((issuer) => URL.canParse(issuer) && new URL(issuer).origin === url.origin);
}

/** The authorization servers the MCP server names in its protected resource metadata (RFC 9728), if it publishes any. */
async function advertisedIssuers(target: OAuthTarget, resourceMetadataUrl: URL | undefined): Promise<string[]> {
  const { discoverOAuthProtectedResourceMetadata } = await import('@modelcontextprotocol/sdk/client/auth.js');
  try {
    const metadata = await discoverOAuthProtectedResourceMetadata(target.url, { resourceMetadataUrl }, policedFetch());
    return metadata.authorization_servers ?? [];
  } catch {
    return [];
  }
}

/**
 * Metadata from `oauth.authServerMetadataUrl`, accepted only for the issuer it may speak for: the
 * one whose well-known URL it is, or one that the MCP server names, published on that issuer's own
 * origin. A document elsewhere claiming a real issuer (to collect the code and the PKCE verifier at
 * its own token endpoint: a mix-up attack) is refused.
 */
async function presetDiscovery(target: OAuthTarget, resourceMetadataUrl: URL | undefined) {
  const configured = target.oauth?.authServerMetadataUrl;
  if (!configured) return undefined;
  const url = checkOAuthUrl(configured, `oauth.authServerMetadataUrl of '${target.name}'`);
  const response = await policedFetch()(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new CliError(`could not read the authorization server metadata at ${urlForMessage(url)} (HTTP ${response.status})`);
  const { OAuthMetadataSchema } = await import('@modelcontextprotocol/sdk/shared/auth.js');
  const parsed = OAuthMetadataSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new CliError(`the authorization server metadata at ${urlForMessage(url)} is invalid: ${describeSchemaIssue(parsed.error.issues)}`);
  const metadata = parsed.data;
  checkIssuerForm(metadata.issuer);
  const own = issuersOfMetadataUrl(url).some((issuer) => sameIssuer(issuer, metadata.issuer));
  const advertised = await advertisedIssuers(target, resourceMetadataUrl);
  const named = advertised.some((issuer) => sameIssuer(issuer, metadata.issuer));
  const where = `the authorization server metadata at ${urlForMessage(url)} names the issuer ${urlForMessage(metadata.issuer)}`;
  const refusal =
    advertised.length > 0 && !named
      ? `${where}, which '${target.name}' does not name as its authorization server`
      : named && !own && new URL(metadata.issuer).origin !== url.origin
        ? `${where}, but is published neither at that issuer's well-known URL nor on its origin`
        : advertised.length === 0 && !own
          ? `${where}, which that URL does not belong to, and '${target.name}' names no authorization server that would vouch for it`
          : undefined;
  if (refusal)
    throw new CliError(
      `${refusal}; refusing it (RFC 8414 section 3.3: in a mix-up attack the code would go to its token endpoint)`,
      1,
      "point oauth.authServerMetadataUrl at the issuer's own well-known URL, or leave it out so that the server names its authorization server",
    );
  return { authorizationServerUrl: metadata.issuer, authorizationServerMetadata: metadata };
}

/** RFC 8414 section 2: an issuer is a URL without query, fragment or user information. */
function checkIssuerForm(issuer: string): void {
  const parsed = URL.canParse(issuer) ? new URL(issuer) : undefined;
  if (!parsed || parsed.search || parsed.hash || parsed.username || parsed.password)
    throw new CliError(`the authorization server names an issuer that is not a plain URL (${urlForMessage(issuer)}); refusing it (RFC 8414 section 2)`);
}

/** Zod's first issue in words: the field and what was wrong, never a raw JSON dump. */
export function describeSchemaIssue(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return 'it does not have the expected shape';
  const field = issue.path.map(String).join('.') || 'the document';
  return printable(`${field}: ${issue.message}`);
}

function deadline(ms: number, signal: AbortSignal | undefined): { promise: Promise<never>; clear(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CliError(`no answer from the browser within ${Math.round(ms / 1000)} s; the login timed out`, 1, 'run it again, or use --timeout')),
      ms,
    );
    onAbort = () => reject(new CancelledError('login cancelled'));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort);
  });
  return {
    promise,
    clear: () => {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * The authorization code flow with PKCE, through the SDK's `auth()`: discovery, client
 * registration (kept and reused), the browser or paste-back, then the code exchange.
 */
export async function login(options: LoginOptions): Promise<SavedTokens> {
  try {
    return await loginFlow(options);
  } catch (error) {
    throw asLoginError(error, options.target.name);
  }
}

/** Whatever ended a login, as one specific sentence: the SDK's errors may carry raw schema dumps or no message at all. */
function asLoginError(error: unknown, server: string): unknown {
  if (error instanceof CliError || error instanceof StoreError) return error;
  const err = error as Error & { issues?: { path: PropertyKey[]; message: string }[] };
  if (Array.isArray(err.issues))
    return new CliError(`the OAuth login to '${server}' failed: an answer from its authorization server is invalid (${describeSchemaIssue(err.issues)})`);
  const message = typeof err.message === 'string' && err.message.trim() !== '' ? printable(err.message.trim()) : `${err.name ?? 'an error'} without a message`;
  return new CliError(`the OAuth login to '${server}' failed: ${message}`);
}

async function loginFlow(options: LoginOptions): Promise<SavedTokens> {
  const { target, manager, io } = options;
  const { auth } = await import('@modelcontextprotocol/sdk/client/auth.js');
  checkOAuthUrl(target.url, `URL of '${target.name}'`);
  const preset = await presetDiscovery(target, options.resourceMetadataUrl);
  if (preset) checkAuthorizationServer(target.name, preset.authorizationServerUrl, preset.authorizationServerMetadata);
  const challenge = preset || options.resourceMetadataUrl ? { resourceMetadataUrl: options.resourceMetadataUrl } : await probeChallenge(target.url);
  const scope = options.scope ?? (target.oauth?.scopes?.length ? target.oauth.scopes.join(' ') : undefined) ?? challenge.scope;
  const fetchFn = policedFetch();

  let provider: StoreOAuthProvider | undefined;
  const listener = await startLoopback(
    target.oauth?.callbackPort ?? 0,
    (params) => provider !== undefined && params.get('state') === provider.expectedState,
    (params) => {
      const metadata = provider?.metadata;
      if (!provider || !metadata) throw new CliError('no login was waiting for this response');
      return checkAuthorizationResponse(
        params,
        provider.expectedState,
        metadata.issuer,
        extraMetadata(metadata).authorization_response_iss_parameter_supported === true,
      );
    },
  );
  const stopPaste = new AbortController();
  const limit = deadline(options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS, options.signal);
  listener.result.catch(() => undefined);
  try {
    provider = new StoreOAuthProvider({
      target,
      manager,
      redirectUrl: listener.redirectUrl,
      now: io.now,
      presetDiscovery: preset,
      onAuthorizationUrl: async (url) => {
        checkOAuthUrl(url, `authorization URL of '${target.name}'`);
        io.stderr.write(`To log in to '${target.name}', open this URL in a browser:\n\n  ${url.href}\n\n`);
        if (options.noBrowser) {
          io.stderr.write('Then paste here the full URL that the browser was redirected to (http://127.0.0.1:...):\n');
          return;
        }
        const browser = browserCommand(io.env, io.platform);
        const opened = browser ? await openBrowser(url.href, browser, io.env) : false;
        io.stderr.write(
          opened ? `Waiting for the browser (opened with ${browser!.source})...\n` : 'Could not start a browser; open the URL yourself. Waiting...\n',
        );
      },
    });
    const started = await Promise.race([
      auth(provider, { serverUrl: target.url, scope, resourceMetadataUrl: challenge.resourceMetadataUrl, fetchFn }),
      limit.promise,
    ]);
    if (started !== 'REDIRECT') throw new CliError('internal error: the authorization did not start');

    const sources: Promise<string>[] = [listener.result, limit.promise];
    if (options.noBrowser) {
      const metadata = provider.metadata!;
      const issRequired = extraMetadata(metadata).authorization_response_iss_parameter_supported === true;
      sources.push(
        readPastedRedirect(io.stdin, stopPaste.signal).then((params) =>
          checkAuthorizationResponse(params, provider!.expectedState, metadata.issuer, issRequired),
        ),
      );
    }
    const code = await Promise.race(sources);
    await Promise.race([
      auth(provider, { serverUrl: target.url, scope, authorizationCode: code, resourceMetadataUrl: challenge.resourceMetadataUrl, fetchFn }),
      limit.promise,
    ]);
    if (!provider.saved) throw new CliError('internal error: the login ended without tokens');
    await manager.recordEvent(
      'login',
      { namespace: TOKENS_NAMESPACE, name: target.name },
      { issuer: provider.saved.issuer, client: provider.clientKind ?? 'unknown' },
    );
    return provider.saved;
  } finally {
    limit.clear();
    stopPaste.abort();
    await listener.close();
  }
}
