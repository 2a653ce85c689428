import { canPrompt, type Ctx } from '../../context.js';
import type { ResolvedServer } from '../../config/resolve.js';
import type { TokenManager } from '../../tokens/manager.js';
import { openTokenStore } from './storage.js';

export interface OAuthConnectOptions {
  /** False: never start a browser login, whatever the terminal (token validate). */
  interactive?: boolean;
  /** A manager already open, so the store is not opened twice. */
  manager?: TokenManager;
}

/**
 * The fetch that lets an HTTP server with an `oauth` block (`"oauth": {}` is enough) log in with OAuth:
 * the stored token is sent and refreshed; a 401 with a Bearer challenge refreshes once, then starts a
 * login in the browser (interactive) or exits 4 (not interactive). Servers without the block are left
 * alone, so that their static headers and a store they never use are not touched.
 */
export async function oauthFetchFor(ctx: Ctx, server: ResolvedServer, options: OAuthConnectOptions = {}): Promise<((base: typeof fetch) => typeof fetch) | undefined> {
  const entry = server.entry;
  if (entry.transport === 'stdio') return undefined;
  if (!entry.oauth) return undefined;
  const [manager, { OAuthSession }, { oauthFetch }] = await Promise.all([options.manager ?? openTokenStore(ctx).then((s) => s.manager), import('../../oauth/session.js'), import('../../oauth/fetch.js')]);
  const target = { name: server.name, url: entry.url, oauth: entry.oauth };
  const interactive = (options.interactive ?? true) && canPrompt(ctx);
  const session = new OAuthSession({
    target,
    manager,
    env: ctx.env,
    now: ctx.now,
    relogin: interactive
      ? async (hint) => {
          ctx.stderr.write(`'${server.name}' needs an OAuth login.\n`);
          const [{ login }, { interruptSignal }] = await Promise.all([import('../../oauth/login.js'), import('../../io/interrupt.js')]);
          const interrupt = interruptSignal();
          try {
            return await login({ target, manager, io: ctx, signal: interrupt.signal, resourceMetadataUrl: hint.resourceMetadataUrl });
          } finally {
            interrupt.dispose();
          }
        }
      : undefined,
  });
  return (base) => oauthFetch(session, entry.url, base);
}
