import { canPrompt, type Ctx } from '../context.js';
import { childEnvironment } from '../mcp/child-env.js';
import { canOpenBrowser } from '../oauth/browser.js';
import { maskingByteStream } from '../masking/byte-stream.js';
import { maskingLineStream } from '../masking/line-stream.js';
import { createMasker } from '../masking/masker.js';
import { serverSecrets } from '../mcp/secrets.js';
import { runChild, type Signals } from '../run/child.js';
import { approvedAlready, locatedConfigFile } from '../services/config-access.js';
import { warn } from '../io/notices.js';

export interface RunOptions {
  /** False with `--no-masking`: secrets in messages to the client are left as the server sent them. */
  masking?: boolean;
  /** The OAuth login to use instead of the entry's `account`. */
  account?: string;
}

export interface RunDeps {
  signals: Signals;
}

/**
 * `mcp-cli run SERVER`: what an MCP client launches. Resolves the entry (an unapproved config, a
 * missing token: an error before anything starts), then either starts a stdio server and relays
 * its stdio, or bridges stdio to an HTTP server. Resolves with the exit status to end with.
 * The CLI builds `ctx` without `./server_config.json` (globals.workingDirectoryConfig = false):
 * clients start servers in any directory, and what lies there must not decide anything.
 */
export async function run(name: string, options: RunOptions, ctx: Ctx, deps: RunDeps): Promise<number> {
  warnOfPreloadedCode(ctx);
  // A client waits for this start: the token store starts opening while the config schema loads.
  if (storeNeeded(ctx, name)) ctx.store().catch(() => undefined);
  const { resolveConfigured, serverNames } = await import('../services/server-config.js');
  const config = await ctx.config();
  const { withAccount } = await import('../services/server-account.js');
  const [resolved] = await resolveConfigured(ctx, config, serverNames(config, [name]));
  const server = withAccount(config, resolved!, options.account);
  // The entry's secrets and ${VAR} values; an HTTP entry's OAuth login adds each access token it sends.
  const secrets = serverSecrets(server);
  const masker = createMasker(secrets, options.masking !== false);
  const entry = server!.entry;

  if (entry.transport === 'stdio') {
    return runChild(
      { command: entry.command, args: entry.args, env: childEnvironment(ctx.env, entry.env), ...(entry.cwd !== undefined ? { cwd: entry.cwd } : {}) },
      {
        stdin: ctx.stdin,
        // Without secrets to mask, the server's stdout goes to the client as is.
        stdout: masker.active ? { to: ctx.stdout, through: () => maskingLineStream(masker) } : { to: ctx.stdout },
        // The client may write this to a log file: it is masked even with --no-masking.
        stderr: { to: ctx.stderr, through: () => maskingByteStream(secrets) },
      },
      {
        signals: deps.signals,
        platform: ctx.platform,
        label: `server '${name}' (command ${server!.masked.transport === 'stdio' ? server!.masked.command : ''})`,
      },
    );
  }

  const [{ oauthFetchFor }, { runHttpBridge }, { eraCache, eraCachePath }] = await Promise.all([
    import('../services/oauth-connect.js'),
    import('../run/http-bridge.js'),
    import('../mcp/era-cache.js'),
  ]);
  // stdin is the client's: a login never reads it, so one may start whenever a browser can be opened.
  const canLogin = canPrompt(ctx) || canOpenBrowser(ctx.env, ctx.platform);
  const wrapFetch = await oauthFetchFor(ctx, server!, { canLogin, loginMode: 'browser', onTokenSent: (token) => secrets.add(token) });
  return runHttpBridge({
    server: server!,
    masker,
    stdin: ctx.stdin,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    signals: deps.signals,
    eras: eraCache(eraCachePath(ctx.env), ctx.now),
    now: ctx.now,
    ...(wrapFetch ? { wrapFetch } : {}),
  });
}

/**
 * Whether the entry will read the token store, judged before the config is validated: only for a file
 * that may be used as it is (the user's own, or approved unchanged) and an entry that names a token.
 * A wrong guess costs only time: the store is opened lazily otherwise, and errors come from validation.
 */
function storeNeeded(ctx: Ctx, name: string): boolean {
  try {
    const file = locatedConfigFile(ctx);
    if (!file || !approvedAlready(ctx, file)) return false;
    const servers = (JSON.parse(file.text) as { mcpServers?: Record<string, unknown> }).mcpServers;
    return !!servers && Object.hasOwn(servers, name) && JSON.stringify(servers[name]).includes('${TOKEN:');
  } catch {
    return false;
  }
}

/**
 * NODE_OPTIONS that load a module (which an MCP client's entry can set) run that code inside mcp-cli
 * before it starts, where it can read every token mcp-cli can: too late to refuse, so it is said
 * where the client logs stderr. Only the options are named, never their values.
 */
function warnOfPreloadedCode(ctx: Ctx): void {
  const loaders = [...new Set((ctx.env.NODE_OPTIONS ?? '').match(/(?<=^|\s)(--require|-r|--import|--loader|--experimental-loader)(?==|\s|$)/g) ?? [])];
  if (loaders.length > 0)
    warn(
      ctx,
      `NODE_OPTIONS holds ${loaders.join(', ')}: that code runs inside mcp-cli and can read every token it can; remove it from the client's entry unless you put it there`,
    );
}
