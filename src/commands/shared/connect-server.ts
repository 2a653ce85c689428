import type { Ctx } from '../../context.js';
import type { ResolvedServer } from '../../config/resolve.js';
import type { Connection, ConnectOptions } from '../../mcp/connect.js';
import { loadConfigFor, resolveConfigured, serverNames } from './server-config.js';

/** How a command connects: the place where a server's login (an OAuth authProvider) is added. */
export function connectOptions(ctx: Ctx, _server: ResolvedServer): ConnectOptions {
  return { env: ctx.env, stderr: ctx.stderr };
}

/** Resolves one configured server, connects and initializes, runs `fn`, and always disconnects. */
export async function withConnection<T>(ctx: Ctx, name: string, fn: (connection: Connection, server: ResolvedServer) => Promise<T>): Promise<T> {
  const config = await loadConfigFor(ctx);
  const [server] = await resolveConfigured(ctx, config, serverNames(config, [name]));
  const { connect } = await import('../../mcp/connect.js');
  const connection = await connect(server!, connectOptions(ctx, server!));
  try {
    return await fn(connection, server!);
  } finally {
    await connection.close();
  }
}
