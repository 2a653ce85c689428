import type { Ctx } from '../context.js';
import type { ResolvedServer } from '../config/resolve.js';
import type { Connection, ConnectOptions } from '../mcp/connect.js';
import { serverSecrets } from '../mcp/secrets.js';
import type { OAuthConnectOptions } from './oauth-connect.js';
import { resolveConfigured, serverNames } from './server-config.js';
import { withAccount } from './server-account.js';

/**
 * How a command connects: the server's OAuth login added around the fetch (around the client
 * certificate's, if any), each access token it sends joining the secrets the connection masks, and
 * the eras remembered in the state directory.
 */
export async function connectOptions(ctx: Ctx, server: ResolvedServer, oauth: OAuthConnectOptions = {}): Promise<ConnectOptions> {
  const [{ oauthFetchFor }, { eraCache, eraCachePath }] = await Promise.all([import('./oauth-connect.js'), import('../mcp/era-cache.js')]);
  const secrets = serverSecrets(server);
  const wrapFetch = await oauthFetchFor(ctx, server, { ...oauth, onTokenSent: (token) => secrets.add(token) });
  return {
    env: ctx.env,
    stderr: ctx.stderr,
    secrets,
    now: ctx.now,
    eras: eraCache(eraCachePath(ctx.env), ctx.now),
    ...(wrapFetch ? { wrapFetch } : {}),
  };
}

/** Connects to one resolved server, with the era settled (see src/mcp/connect.ts). */
export async function connectServer(
  ctx: Ctx,
  server: ResolvedServer,
  options: { oauth?: OAuthConnectOptions; prepare?: ConnectOptions['prepare'] } = {},
): Promise<Connection> {
  const { connect } = await import('../mcp/connect.js');
  const base = await connectOptions(ctx, server, options.oauth);
  return connect(server, options.prepare ? { ...base, prepare: options.prepare } : base);
}

/** Resolves one configured server, connects, runs `fn`, and always disconnects. The store is opened at most once, and only if needed. */
export async function withConnection<T>(
  ctx: Ctx,
  /** The server's name, and `--account`: the OAuth login to use instead of the entry's. */
  { name, account }: { name: string; account?: string | undefined },
  fn: (connection: Connection, server: ResolvedServer) => Promise<T>,
  prepare?: ConnectOptions['prepare'],
): Promise<T> {
  const config = await ctx.config();
  const [resolved] = await resolveConfigured(ctx, config, serverNames(config, [name]));
  const server = withAccount(config, resolved!, account);
  const connection = await connectServer(ctx, server, prepare ? { prepare } : {});
  try {
    return await fn(connection, server);
  } finally {
    await connection.close();
  }
}
