import type { Ctx } from '../../context.js';
import type { ResolvedServer } from '../../config/resolve.js';
import type { Connection, ConnectOptions } from '../../mcp/connect.js';
import { lazyStoreOpener, loadConfigFor, resolveConfigured, serverNames, type StoreOpener } from './server-config.js';

/** How a command connects: the place where a server's OAuth login is added. */
export async function connectOptions(ctx: Ctx, server: ResolvedServer, open: StoreOpener = lazyStoreOpener(ctx)): Promise<ConnectOptions> {
  const base = { env: ctx.env, stderr: ctx.stderr };
  const { oauthFetchFor } = await import('./oauth-connect.js');
  const oauth = await oauthFetchFor(ctx, server, open);
  return oauth ? { ...base, fetch: oauth.fetch, usesOAuth: oauth.usesOAuth } : base;
}

/** Resolves one configured server, connects and initializes, runs `fn`, and always disconnects. The store is opened at most once, and only if needed. */
export async function withConnection<T>(ctx: Ctx, name: string, fn: (connection: Connection, server: ResolvedServer) => Promise<T>): Promise<T> {
  const config = await loadConfigFor(ctx);
  const open = lazyStoreOpener(ctx);
  const [server] = await resolveConfigured(ctx, config, serverNames(config, [name]), open);
  const { connect } = await import('../../mcp/connect.js');
  const connection = await connect(server!, await connectOptions(ctx, server!, open));
  try {
    return await fn(connection, server!);
  } finally {
    await connection.close();
  }
}
