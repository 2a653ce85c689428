import type { Ctx } from '../context.js';
import type { HttpServerEntry, ServerConfig } from '../config/schema.js';
import { CliError } from '../errors.js';
import { grantsItself, type OAuthTarget } from '../oauth/target.js';
import { requireIdpSettings } from './idp-settings.js';
import { resolveConfigured, serverNames } from './server-config.js';
import { checkAccountName } from './server-account.js';

async function targetIn(config: ServerConfig, name: string, ctx: Ctx, use: 'login' | 'refresh'): Promise<OAuthTarget> {
  const entry = config.servers[name]!;
  if (entry.transport === 'stdio')
    throw new CliError(`'${name}' in ${config.location.path} is a stdio server (it has a command): OAuth applies to HTTP servers (url) only`);
  // Only what a login uses is resolved: a header referencing an expired token must not stop the login that replaces it.
  // A refresh presents the login's own client, and compares only the configured client ID with it: no secret is read.
  // A grant without a person (client credentials, a workload's JWT, the identity provider) is its own renewal: it needs its settings each time.
  const oauth =
    entry.oauth &&
    (use === 'login' || grantsItself(entry.oauth)
      ? entry.oauth
      : {
          ...(entry.oauth.clientId !== undefined ? { clientId: entry.oauth.clientId } : {}),
          ...(entry.oauth.resource !== undefined ? { resource: entry.oauth.resource } : {}),
        });
  const loginFields = { transport: entry.transport, url: entry.url, headers: {}, ...(oauth ? { oauth } : {}) };
  const [server] = await resolveConfigured(ctx, { ...config, servers: { [name]: loginFields } }, [name]);
  const resolved = server!.entry as HttpServerEntry;
  const idp = resolved.oauth?.idp ? { idp: await requireIdpSettings(ctx) } : {};
  return { name, url: resolved.url, ...(resolved.oauth ? { oauth: resolved.oauth } : {}), ...idp, defaults: config.oauth };
}

/**
 * The URL and `oauth` settings of one HTTP server in server_config.json, read by the same loader
 * and resolver as every other command: `${TOKEN:...}` and `${VAR}` references resolve anywhere in
 * `url` and `oauth.*`, and errors name the file and the field.
 */
export async function findOAuthTarget(name: string, ctx: Ctx, account?: string): Promise<OAuthTarget> {
  const config = await ctx.config();
  serverNames(config, [name]);
  checkAccountName(config, name, account);
  const target = await targetIn(config, name, ctx, 'login');
  return account !== undefined ? { ...target, account } : target;
}

/**
 * What a refresh needs of the server's entry (its URL, the configured client ID, whether `resource` is
 * left out; for client credentials the whole client); undefined when no config file names it (its
 * tokens may outlive its entry).
 */
export async function configuredOAuthTarget(name: string, ctx: Ctx, account?: string): Promise<OAuthTarget | undefined> {
  const config = await ctx.configIfAny();
  if (!config || !Object.hasOwn(config.servers, name)) return undefined;
  const target = await targetIn(config, name, ctx, 'refresh');
  return account !== undefined ? { ...target, account } : target;
}
