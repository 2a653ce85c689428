import type { Ctx, GlobalOptions, Io, OpenedStore } from '../context.js';
import type { TokenLookup } from '../config/resolve.js';
import type { ServerConfig } from '../config/schema.js';
import { openTokenStore } from './storage.js';

/**
 * Gives `io` the lazy, memoised accessors of a Ctx: the token store and the config are opened on
 * first use and at most once, however many parts of a command ask (one passphrase prompt, one
 * backend probe, one approval question). The config loader is imported only when asked for.
 */
export function withFactory(io: Io): Ctx {
  // Inherits io's getters (stdin, prompter) instead of copying them, so they stay lazy.
  const ctx = Object.create(io) as Ctx;
  let store: Promise<OpenedStore> | undefined;
  let config: Promise<ServerConfig> | undefined;
  let configIfAny: Promise<ServerConfig | undefined> | undefined;
  ctx.store = () => (store ??= openTokenStore(ctx));
  ctx.config = () => (config ??= import('./server-config.js').then((m) => m.loadConfigFor(ctx)));
  ctx.configIfAny = () => (configIfAny ??= import('./server-config.js').then((m) => m.loadConfigIfAny(ctx)));
  return ctx;
}

/** The same IO with other global options (another backend, say), and a factory of its own. */
export function withGlobals(ctx: Ctx, globals: GlobalOptions): Ctx {
  return withFactory(Object.assign(Object.create(ctx) as Io, { globals }));
}

/** A token lookup that opens the store only when some reference needs a token; reads are audited as resolved. */
export function storeLookup(ctx: Ctx): TokenLookup {
  return async (key) => (await ctx.store()).manager.read(key, 'resolved');
}
