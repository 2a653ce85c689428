import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { OAuthTokens } from '@modelcontextprotocol/client';
import { CancelledError, CliError, ExitCode } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import type { Env } from '../paths.js';
import { StoreError } from '../stores/errors.js';
import { scrub } from './errors.js';
import type { TokenManager } from '../tokens/manager.js';
import { waitForAuthorizationCode } from './authorization-wait.js';
import { canOpenBrowser } from './browser.js';
import { deviceEndpoint, describeSchemaIssue, discover, requirePkce, type Discovery } from './discovery.js';
import { dpopForGrant, type GrantDpop } from './dpop-grant.js';
import { startLoopback } from './loopback.js';
import { deleteClient, extraMetadata, TOKENS_NAMESPACE, tokensFromResponse, writeClient, writeTokens, type OAuthGrant, type SavedTokens } from './records.js';
import { chooseClient, type ChosenClient } from './registration.js';
import { chooseScope } from './scopes.js';
import { grantsItself, loginName, type OAuthTarget } from './target.js';
import { OAuthEndpointError } from './token-endpoint.js';
import { checkOAuthUrl, policedFetch, urlForMessage } from './url-policy.js';

export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;

export interface LoginIo {
  env: Env;
  platform: NodeJS.Platform;
  stdin: Readable;
  stderr: Writable;
  tty: { stdin: boolean };
  now(): Date;
}

/**
 * How the user takes part: a browser opened here; the URL printed and the redirected URL (or a code)
 * pasted on stdin; a device code entered on another device (RFC 8628). `auto` picks the first that
 * can work: a browser where one can be opened, else paste-back where stdin is a terminal, else the
 * device grant where the authorization server offers it, else the URL printed for the user to open.
 */
export type LoginMode = 'auto' | 'browser' | 'paste' | 'device';

export interface LoginOptions {
  target: OAuthTarget;
  manager: TokenManager;
  io: LoginIo;
  mode?: LoginMode;
  /** The scopes to ask for: `--scope`, or the union of held and challenged scopes in a step-up. */
  scope?: string;
  /** This login is a step-up (the server answered 403 insufficient_scope): recorded with the tokens. */
  stepUp?: boolean;
  timeoutMs?: number;
  /** Aborts the login (Ctrl-C). */
  signal?: AbortSignal;
  /** From a 401's WWW-Authenticate header (RFC 9728), when the login follows one. */
  resourceMetadataUrl?: URL;
  /** The scope that 401 named: asked for unless the user set scopes (`--scope`, `oauth.scopes`). */
  challengeScope?: string;
}

/** What a 401 from the server says: where its resource metadata is, and which scope it wants. */
export async function probeChallenge(url: string): Promise<{ resourceMetadataUrl?: URL; scope?: string }> {
  const { extractWWWAuthenticateParams } = await import('@modelcontextprotocol/client');
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

/**
 * Checks an authorization response before its code goes anywhere: `state` must be ours (unless the
 * user pasted a bare code, which has none), `iss` must be the recorded issuer, compared as a plain
 * string (RFC 9207 section 2.4; MCP 2026-07-28), and present when the server advertises it; only
 * then is an error acted on, or the code returned.
 */
export function checkAuthorizationResponse(params: URLSearchParams, expectedState: string, issuer: string, issRequired: boolean, bare = false): string {
  if (!bare && params.get('state') !== expectedState)
    throw new CliError('the authorization response carries a state that this login did not send; it was refused (possible cross-site request forgery)');
  const iss = params.get('iss');
  if (iss !== null && iss !== issuer)
    throw new CliError(`the authorization response comes from issuer ${urlForMessage(iss)}, not ${urlForMessage(issuer)}; it was refused (RFC 9207)`);
  if (iss === null && issRequired)
    throw new CliError(
      bare
        ? `the authorization server ${urlForMessage(issuer)} names its issuer in every response (RFC 9207), and a bare code carries none; it was refused`
        : `the authorization server ${urlForMessage(issuer)} promises an iss parameter, and the response has none; it was refused (RFC 9207)`,
      1,
      bare ? 'paste the full URL the browser was redirected to instead' : undefined,
    );
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description');
    throw new CliError(printable(`the authorization server refused the login: ${error}${description ? ` (${description})` : ''}`));
  }
  const code = params.get('code');
  if (!code) throw new CliError('the authorization response has no code');
  return code;
}

/** The login's time limit and Ctrl-C; `waitingFor` names what did not answer, once the mode is known. */
export function deadline(ms: number, signal: AbortSignal | undefined, waitingFor: () => string): { promise: Promise<never>; clear(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CliError(`no answer from ${waitingFor()} within ${Math.round(ms / 1000)} s; the login timed out`, 1, 'run it again, or use --timeout')),
      ms,
    );
    onAbort = () => reject(new CancelledError('login cancelled'));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort);
  });
  promise.catch(() => undefined);
  return {
    promise,
    clear: () => {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * A login: discovery, the client in the spec's order, then the authorization code flow with PKCE
 * (browser or paste-back) or the device authorization grant; a server that gets its tokens by itself
 * (client credentials, a workload's JWT, the enterprise identity provider) gets them without a user. The tokens, and the client with its issuer, are stored.
 */
export async function login(options: LoginOptions): Promise<SavedTokens> {
  try {
    return await loginFlow(options);
  } catch (error) {
    const failed = asLoginError(error, options.target.name);
    if (failed instanceof CliError && failed.hint === undefined && options.target.oauth?.resource !== false && refusesResource(error))
      throw new CliError(
        failed.message,
        failed.exitCode,
        `if this authorization server does not accept RFC 8707 resource indicators (Entra ID: AADSTS9010010), set "resource": false in the oauth block of '${options.target.name}'`,
      );
    throw failed;
  }
}

/** An authorization server that refused the resource indicator: invalid_target (RFC 8707), or Entra ID's own code for it. */
function refusesResource(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'invalid_target' || /\binvalid_target\b|AADSTS9010010/.test(String(message ?? ''));
}

/** Whatever ended a login, as one specific sentence: the SDK's errors may carry raw schema dumps or no message at all. */
function asLoginError(error: unknown, server: string): unknown {
  if (error instanceof CliError || error instanceof StoreError) return error;
  const err = error as Error & { issues?: { path: PropertyKey[]; message: string }[] };
  if (Array.isArray(err.issues))
    return new CliError(`the OAuth login to '${server}' failed: an answer from its authorization server is invalid (${describeSchemaIssue(err.issues)})`);
  const message =
    typeof err.message === 'string' && err.message.trim() !== '' ? printable(scrub(err.message.trim(), [])) : `${err.name ?? 'an error'} without a message`;
  return new CliError(`the OAuth login to '${server}' failed: ${message}`);
}

/** The mode `auto` stands for here (see LoginMode), or an error when the one asked for cannot work. */
function chooseMode(requested: LoginMode, io: LoginIo, discovery: Discovery, server: string): Exclude<LoginMode, 'auto'> {
  const device = deviceEndpoint(discovery.metadata) !== undefined;
  if (requested === 'device' && !device)
    throw new CliError(
      `the authorization server ${urlForMessage(discovery.issuer)} of '${server}' does not offer the device authorization grant (no device_authorization_endpoint)`,
      1,
      `log in with mcp-cli auth login ${server} --no-browser instead: open the URL anywhere and paste back where it led`,
    );
  if (requested !== 'auto') return requested;
  if (canOpenBrowser(io.env, io.platform)) return 'browser';
  if (io.tty.stdin) return 'paste';
  return device ? 'device' : 'browser';
}

interface Obtained {
  tokens: OAuthTokens;
  client: ChosenClient;
  grant: OAuthGrant;
  /** The key the token request was signed with. */
  dpop?: GrantDpop;
}

async function loginFlow(options: LoginOptions): Promise<SavedTokens> {
  const { target, manager, io } = options;
  if (grantsItself(target.oauth)) {
    const { selfGrant } = await import('./self-grant.js');
    return selfGrant({
      target,
      manager,
      env: io.env,
      platform: io.platform,
      now: io.now,
      scope: options.scope,
      stepUp: options.stepUp,
      resourceMetadataUrl: options.resourceMetadataUrl,
      challengeScope: options.challengeScope,
    });
  }
  checkOAuthUrl(target.url, `URL of '${target.name}'`);
  let mode: Exclude<LoginMode, 'auto'> | undefined;
  const limit = deadline(options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS, options.signal, () =>
    mode === 'device' ? 'the device login' : mode === undefined ? 'the authorization server' : 'the browser',
  );
  const stop = new AbortController();
  limit.promise.catch((error: unknown) => stop.abort(error));
  let client: ChosenClient | undefined;
  try {
    // A login that follows a 401 knows its challenge; any other asks the server for one.
    const challenge =
      target.oauth?.authServerMetadataUrl || options.resourceMetadataUrl
        ? { resourceMetadataUrl: options.resourceMetadataUrl, scope: options.challengeScope }
        : await probeChallenge(target.url);
    const discovery = await Promise.race([discover(target, challenge.resourceMetadataUrl), limit.promise]);
    mode = chooseMode(options.mode ?? 'auto', io, discovery, target.name);
    const scope = chooseScope({
      requested: options.scope,
      configured: target.oauth?.scopes,
      challenge: challenge.scope,
      resourceMetadata: discovery.resourceMetadata,
      metadata: discovery.metadata,
      refreshable: true,
    });
    const onClient = (chosen: ChosenClient) => (client = chosen);
    const dpop = dpopForGrant(target, discovery);
    const obtained = await Promise.race([
      mode === 'device'
        ? deviceFlow(options, discovery, { scope, dpop }, stop.signal, onClient)
        : codeFlow(options, discovery, { scope, dpop }, mode, stop.signal, onClient),
      limit.promise,
    ]);
    return await saveLogin(options, discovery, obtained, scope);
  } catch (error) {
    await forgetRefusedRegistration(error, client, options);
    throw client?.kind === 'metadata-document' ? withDocumentHint(error, client, target.name) : error;
  } finally {
    limit.clear();
    stop.abort();
  }
}

/**
 * A login that presented a client ID metadata document and failed: perhaps the authorization server
 * could not fetch it (a network of its own), which only its page in the browser says.
 */
function withDocumentHint(error: unknown, client: ChosenClient, server: string): unknown {
  if (!(error instanceof CliError) || error instanceof CancelledError || error.exitCode !== ExitCode.failure) return error;
  const hint = `if the authorization server could not use the client ID metadata document ${urlForMessage(client.information.client_id)}, set "clientMetadataUrl": false in the oauth block of '${server}' to register mcp-cli with it instead`;
  return new CliError(error.message, error.exitCode, error.hint ? `${error.hint}; ${hint}` : hint);
}

/**
 * A stored registration that the authorization server no longer knows is forgotten, so that the
 * next login registers anew; a registration this login made, or a configured client, is not touched.
 */
async function forgetRefusedRegistration(error: unknown, client: ChosenClient | undefined, options: LoginOptions): Promise<void> {
  if (!client || client.kind !== 'dcr' || client.store) return;
  const { OAuthError, OAuthErrorCode } = await import('@modelcontextprotocol/client');
  const refused =
    (error instanceof OAuthError && (error.code === OAuthErrorCode.InvalidClient || error.code === OAuthErrorCode.UnauthorizedClient)) ||
    (error instanceof OAuthEndpointError && (error.code === 'invalid_client' || error.code === 'unauthorized_client'));
  if (refused) await deleteClient(options.manager, loginName(options.target), 'refused by the authorization server during a login');
}

async function saveLogin(options: LoginOptions, discovery: Discovery, obtained: Obtained, scope: string | undefined): Promise<SavedTokens> {
  const { target, manager, io } = options;
  const { issuer } = discovery;
  const saved = tokensFromResponse(obtained.tokens, {
    issuer,
    resource: discovery.resource,
    server: target.url,
    name: target.name,
    now: io.now(),
    clientId: obtained.client.information.client_id,
    grant: obtained.grant,
    requestedScope: scope,
    stepUp: options.stepUp,
    ...(obtained.dpop ? { dpop: obtained.dpop.binding } : {}),
    dpopRequired: target.oauth?.dpop === true,
    ...(target.account !== undefined ? { account: target.account } : {}),
  });
  await writeTokens(manager, loginName(target), saved);
  if (obtained.client.store) await writeClient(manager, loginName(target), { issuer, kind: obtained.client.kind, information: obtained.client.information });
  await manager.recordEvent(
    'login',
    { namespace: TOKENS_NAMESPACE, name: loginName(target) },
    {
      issuer,
      client: obtained.client.kind,
      grant: obtained.grant,
      ...(options.stepUp ? { stepUp: 'true' } : {}),
      ...(saved.dpop ? { dpop: saved.tokenType === 'DPoP' ? 'bound' : 'not bound' } : {}),
    },
  );
  return saved;
}

/** What a token request asks for, and the DPoP key it is signed with (if any). */
interface TokenRequest {
  scope: string | undefined;
  dpop: GrantDpop | undefined;
}

/** RFC 8628: the user enters a code on another device while this polls. */
async function deviceFlow(
  options: LoginOptions,
  discovery: Discovery,
  { scope, dpop }: TokenRequest,
  signal: AbortSignal,
  chosen: (client: ChosenClient) => void,
): Promise<Obtained> {
  const { target, manager, io } = options;
  // A registration made here may serve a browser login later: it names a loopback redirect URI (any port, RFC 8252).
  const client = await chooseClient(target, manager, discovery, { redirectUri: 'http://127.0.0.1/callback', device: true, scope });
  chosen(client);
  const { deviceAuthorization } = await import('./device.js');
  const tokens = await deviceAuthorization({
    server: target.name,
    discovery,
    client: client.information,
    scope,
    stderr: io.stderr,
    now: io.now,
    signal,
    ...(dpop ? { tokenFetch: dpop.tokenFetch } : {}),
  });
  return { tokens, client, grant: 'device_code', ...(dpop ? { dpop } : {}) };
}

/**
 * The authorization code flow with PKCE S256: the redirect lands on a loopback listener (state
 * checked, forged callbacks ignored), or its URL (or a code) is pasted on stdin; then the code is
 * exchanged at the recorded issuer's token endpoint.
 */
async function codeFlow(
  options: LoginOptions,
  discovery: Discovery,
  { scope, dpop }: TokenRequest,
  mode: 'browser' | 'paste',
  signal: AbortSignal,
  chosen: (client: ChosenClient) => void,
): Promise<Obtained> {
  const { target, manager, io } = options;
  const { issuer, metadata } = discovery;
  requirePkce(metadata);
  const { startAuthorization, exchangeAuthorization } = await import('@modelcontextprotocol/client');
  const state = randomBytes(32).toString('base64url');
  const issRequired = extraMetadata(metadata).authorization_response_iss_parameter_supported === true;
  const listener = await startLoopback(
    target.oauth?.callbackPort ?? 0,
    (params) => params.get('state') === state,
    (params) => checkAuthorizationResponse(params, state, issuer, issRequired),
  );
  listener.result.catch(() => undefined);
  try {
    const client = await chooseClient(target, manager, discovery, { redirectUri: listener.redirectUrl, device: false, scope });
    chosen(client);
    const { authorizationUrl, codeVerifier } = await startAuthorization(issuer, {
      metadata,
      clientInformation: client.information,
      redirectUrl: listener.redirectUrl,
      scope,
      state,
      ...(discovery.resource !== undefined ? { resource: discovery.resource } : {}),
    });
    // The code is bound to the key too (RFC 9449 section 10): a code stolen on its way back is useless to another.
    if (dpop) authorizationUrl.searchParams.set('dpop_jkt', dpop.key.thumbprint);
    checkOAuthUrl(authorizationUrl, `authorization URL of '${target.name}'`);
    const code = await waitForAuthorizationCode({
      label: `'${target.name}'`,
      authorizationUrl,
      listener,
      mode,
      io,
      signal,
      checkPasted: (params, bare) => checkAuthorizationResponse(params, state, issuer, issRequired, bare),
    });
    const tokens = await exchangeAuthorization(issuer, {
      metadata,
      clientInformation: client.information,
      authorizationCode: code,
      // checkAuthorizationResponse has compared the response's iss with the issuer (RFC 9207); the SDK checks it again.
      ...(issRequired ? { iss: issuer } : {}),
      codeVerifier,
      redirectUri: listener.redirectUrl,
      ...(discovery.resource !== undefined ? { resource: discovery.resource } : {}),
      fetchFn: dpop?.tokenFetch ?? policedFetch(),
    });
    return { tokens, client, grant: 'authorization_code', ...(dpop ? { dpop } : {}) };
  } finally {
    await listener.close();
  }
}
