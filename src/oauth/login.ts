import type { Readable, Writable } from 'node:stream';
import { CancelledError, CliError } from '../errors.js';
import type { Env } from '../paths.js';
import type { TokenManager } from '../tokens/manager.js';
import { browserCommand, openBrowser } from './browser.js';
import { startLoopback } from './loopback.js';
import { readPastedRedirect } from './paste-back.js';
import { checkAuthorizationServer, StoreOAuthProvider } from './provider.js';
import { extraMetadata, sameIssuer, TOKENS_NAMESPACE, type SavedTokens } from './records.js';
import type { OAuthTarget } from './target.js';

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
  if (iss !== null && !sameIssuer(iss, issuer)) throw new CliError(`the authorization response comes from issuer ${iss}, not ${issuer}; it was refused (RFC 9207)`);
  if (iss === null && issRequired) throw new CliError(`the authorization server ${issuer} promises an iss parameter, and the response has none; it was refused (RFC 9207)`);
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description');
    throw new CliError(`the authorization server refused the login: ${error}${description ? ` (${description})` : ''}`);
  }
  const code = params.get('code');
  if (!code) throw new CliError('the authorization response has no code');
  return code;
}

async function presetDiscovery(target: OAuthTarget) {
  const metadataUrl = target.oauth?.authServerMetadataUrl;
  if (!metadataUrl) return undefined;
  const { OAuthMetadataSchema } = await import('@modelcontextprotocol/sdk/shared/auth.js');
  const response = await fetch(metadataUrl, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new CliError(`could not read the authorization server metadata at ${metadataUrl} (HTTP ${response.status})`);
  const metadata = OAuthMetadataSchema.parse(await response.json());
  return { authorizationServerUrl: metadata.issuer, authorizationServerMetadata: metadata };
}

function deadline(ms: number, signal: AbortSignal | undefined): { promise: Promise<never>; clear(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(`no answer from the browser within ${Math.round(ms / 1000)} s; the login timed out`, 1, 'run it again, or use --timeout')), ms);
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
  const { target, manager, io } = options;
  const { auth } = await import('@modelcontextprotocol/sdk/client/auth.js');
  const preset = await presetDiscovery(target);
  if (preset) checkAuthorizationServer(target.name, preset.authorizationServerUrl, preset.authorizationServerMetadata);
  const challenge = preset || options.resourceMetadataUrl ? { resourceMetadataUrl: options.resourceMetadataUrl } : await probeChallenge(target.url);
  const scope = options.scope ?? (target.oauth?.scopes?.length ? target.oauth.scopes.join(' ') : undefined) ?? challenge.scope;

  let provider: StoreOAuthProvider | undefined;
  const listener = await startLoopback(target.oauth?.callbackPort ?? 0, (params) => {
    const metadata = provider?.metadata;
    if (!provider || !metadata) throw new CliError('no login was waiting for this response');
    return checkAuthorizationResponse(params, provider.expectedState, metadata.issuer, extraMetadata(metadata).authorization_response_iss_parameter_supported === true);
  });
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
        io.stderr.write(`To log in to '${target.name}', open this URL in a browser:\n\n  ${url.href}\n\n`);
        if (options.noBrowser) {
          io.stderr.write('Then paste here the full URL that the browser was redirected to (http://127.0.0.1:...):\n');
          return;
        }
        const browser = browserCommand(io.env, io.platform);
        const opened = browser ? await openBrowser(url.href, browser) : false;
        io.stderr.write(opened ? `Waiting for the browser (opened with ${browser!.source})...\n` : 'Could not start a browser; open the URL yourself. Waiting...\n');
      },
    });
    const started = await Promise.race([auth(provider, { serverUrl: target.url, scope, resourceMetadataUrl: challenge.resourceMetadataUrl }), limit.promise]);
    if (started !== 'REDIRECT') throw new CliError('internal error: the authorization did not start');

    const sources: Promise<string>[] = [listener.result, limit.promise];
    if (options.noBrowser) {
      const metadata = provider.metadata!;
      const issRequired = extraMetadata(metadata).authorization_response_iss_parameter_supported === true;
      sources.push(readPastedRedirect(io.stdin, stopPaste.signal).then((params) => checkAuthorizationResponse(params, provider!.expectedState, metadata.issuer, issRequired)));
    }
    const code = await Promise.race(sources);
    await Promise.race([auth(provider, { serverUrl: target.url, scope, authorizationCode: code, resourceMetadataUrl: challenge.resourceMetadataUrl }), limit.promise]);
    if (!provider.saved) throw new CliError('internal error: the login ended without tokens');
    await manager.recordOAuth('login', { namespace: TOKENS_NAMESPACE, name: target.name }, { issuer: provider.saved.issuer });
    return provider.saved;
  } finally {
    limit.clear();
    stopPaste.abort();
    await listener.close();
  }
}
