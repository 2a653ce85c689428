import type { Ctx } from '../context.js';
import type { ResolvedServer } from '../config/resolve.js';
import type { Connection, ConnectOptions } from '../mcp/connect.js';
import type { OAuthConnectOptions } from './oauth-connect.js';
import { resolveConfigured, serverNames } from './server-config.js';

/** How a command connects: the place where a server's OAuth login is added (around the client certificate's fetch, if any). */
export async function connectOptions(ctx: Ctx, server: ResolvedServer, oauth: OAuthConnectOptions = {}): Promise<ConnectOptions> {
  const base = { env: ctx.env, stderr: ctx.stderr };
  const { oauthFetchFor } = await import('./oauth-connect.js');
  const wrapFetch = await oauthFetchFor(ctx, server, oauth);
  return wrapFetch ? { ...base, wrapFetch } : base;
}

/** Resolves one configured server, connects and initializes, runs `fn`, and always disconnects. The store is opened at most once, and only if needed. */
export async function withConnection<T>(ctx: Ctx, name: string, fn: (connection: Connection, server: ResolvedServer) => Promise<T>): Promise<T> {
  const config = await ctx.config();
  const [server] = await resolveConfigured(ctx, config, serverNames(config, [name]));
  const { connect } = await import('../mcp/connect.js');
  const connection = await connect(server!, await connectOptions(ctx, server!));
  try {
    return await fn(connection, server!);
  } finally {
    await connection.close();
  }
}
