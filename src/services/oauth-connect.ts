import { canPrompt, type Ctx } from '../context.js';
import { printable } from '../io/terminal-text.js';
import { canOpenBrowser } from '../oauth/browser.js';
import type { ResolvedServer } from '../config/resolve.js';
import type { OAuthFetch } from '../oauth/fetch.js';
import type { OAuthSession } from '../oauth/session.js';

const hasAuthorizationHeader = (headers: Record<string, string>) => Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');

export interface OAuthConnectOptions {
  /** False: never start a browser login, whatever the terminal (token validate). */
  interactive?: boolean;
  /**
   * Whether a login may be started at all; default: when stdin and stderr are a terminal. `mcp-cli run`
   * says yes when a browser can be opened, though stdin is the MCP client's: the login never reads it.
   */
  canLogin?: boolean;
  /**
   * How a login reaches the user: `browser` only for `mcp-cli run`, whose stdin is the MCP client's (a
   * pasted redirect cannot be read there); default `auto` (browser, else paste-back on the terminal).
   */
  loginMode?: 'auto' | 'browser';
  /** Told every access token before it is sent to the server (the connection masks it in what the server sends back). */
  onTokenSent?: (token: string) => void;
}

/**
 * The fetch that lets an HTTP server log in with OAuth. A server with an `oauth` block (`"oauth": {}`
 * is enough) gets its stored token from the first request. Any other HTTP server without a static
 * Authorization header gets OAuth once it answers 401 and advertises it (RFC 9728): only then is the
 * store opened, so a server that never asks costs no passphrase prompt. In both cases a 401 refreshes
 * once, then starts a login in the browser (interactive) or exits 4 (not interactive). A step-up (403
 * insufficient_scope) logs in wherever a browser can be opened, as in `mcp-cli run`.
 */
export async function oauthFetchFor(
  ctx: Ctx,
  server: ResolvedServer,
  options: OAuthConnectOptions = {},
): Promise<((base: typeof fetch) => OAuthFetch) | undefined> {
  const entry = server.entry;
  if (entry.transport === 'stdio') return undefined;
  if (!entry.oauth && hasAuthorizationHeader(entry.headers)) return undefined;
  const { oauthFetch, advertisesOAuth, bearerChallenge } = await import('../oauth/fetch.js');
  const target = {
    name: server.name,
    url: entry.url,
    ...(entry.oauth ? { oauth: entry.oauth } : {}),
    ...(entry.account !== undefined ? { account: entry.account } : {}),
  };
  const interactive = (options.interactive ?? true) && (options.canLogin ?? canPrompt(ctx));
  const stepUpOnly = !interactive && options.interactive !== false && options.canLogin === undefined && canOpenBrowser(ctx.env, ctx.platform);
  const mayLogIn = interactive || stepUpOnly;
  let session: Promise<OAuthSession> | undefined;
  const startSession = async () => {
    const { checkOAuthUrl } = await import('../oauth/url-policy.js');
    checkOAuthUrl(entry.url, `URL of '${server.name}'`);
    const [{ manager }, { OAuthSession }] = await Promise.all([ctx.store(), import('../oauth/session.js')]);
    // A server that rides on the enterprise identity provider needs the provider of your own config.
    const idp = entry.oauth?.idp ? { idp: await (await import('./idp-settings.js')).requireIdpSettings(ctx) } : {};
    return new OAuthSession({
      target: { ...target, ...idp },
      manager,
      env: ctx.env,
      platform: ctx.platform,
      now: ctx.now,
      reloginForStepUpOnly: stepUpOnly,
      relogin: mayLogIn
        ? async (request) => {
            ctx.stderr.write(
              request.stepUp
                ? printable(`'${server.name}' needs more scopes: a new OAuth login asks for "${request.scope ?? ''}".\n`)
                : `'${server.name}' needs an OAuth login.\n`,
            );
            const [{ login }, { interruptSignal }] = await Promise.all([import('../oauth/login.js'), import('../io/interrupt.js')]);
            const interrupt = interruptSignal();
            try {
              return await login({
                target: { ...target, ...idp, defaults: (await ctx.config()).oauth },
                manager,
                io: ctx,
                mode: options.loginMode ?? 'auto',
                signal: interrupt.signal,
                resourceMetadataUrl: request.resourceMetadataUrl,
                challengeScope: request.challengeScope,
                ...(request.scope !== undefined ? { scope: request.scope } : {}),
                ...(request.stepUp ? { stepUp: true } : {}),
              });
            } finally {
              interrupt.dispose();
            }
          }
        : undefined,
    });
  };
  const oauth = {
    session: () => (session ??= startSession()),
    upFront: entry.oauth !== undefined,
    advertisesOAuth: async (response: Response) => (entry.oauth ? bearerChallenge(response) : advertisesOAuth(response, entry.url)),
    ...(options.onTokenSent ? { onTokenSent: options.onTokenSent } : {}),
  };
  return (base) => oauthFetch(entry.url, oauth, base);
}
