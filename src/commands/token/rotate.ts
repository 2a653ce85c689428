import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { parseExpiry } from '../../tokens/duration.js';
import { PRIMARY_SECRET_FIELD } from '../../tokens/model.js';
import { changed, warnIfExpired } from '../shared/messages.js';
import { success } from '../../io/notices.js';
import { formatTime } from '../shared/present.js';
import { namespaceFrom } from './namespace-option.js';
import { readSecretValue, requireHeaderSafe } from './read-value.js';

export interface RotateOptions {
  namespace?: string;
  oauth?: boolean;
  value?: string;
  valueFile?: string;
  expires?: string;
  json?: boolean;
}

export async function run(name: string, options: RotateOptions, ctx: Ctx): Promise<void> {
  const expiresAt = options.expires !== undefined ? parseExpiry(options.expires, ctx.now()) : undefined;
  const { manager, selection } = await ctx.store();
  const current = await manager.describe(name, namespaceFrom(options));
  if (current.type === 'oauth') return rotateOAuth(name, current.namespace, options, ctx);
  if (current.type === 'client-cert')
    throw new CliError(`'${name}' is a client-cert token: store the new certificate with mcp-cli token set ${name} --type client-cert --cert FILE --key FILE`);
  const value = await readSecretValue(ctx, options, `Enter the new value for '${name}': `);
  requireHeaderSafe(current.type, value);
  const metadata = await manager.rotate(name, current.namespace, { [PRIMARY_SECRET_FIELD[current.type]]: value }, expiresAt);
  warnIfExpired(ctx, metadata);
  changed(ctx, options, 'rotated', [metadata], selection.name, `Rotated ${metadata.type} token '${metadata.name}' in namespace '${metadata.namespace}'`);
}

/** An OAuth token is rotated by a refresh grant at the authorization server that issued it. */
async function rotateOAuth(name: string, namespace: string, options: RotateOptions, ctx: Ctx): Promise<void> {
  if (options.value !== undefined || options.valueFile !== undefined || options.expires !== undefined)
    throw new CliError(
      `'${name}' is an OAuth token: its new value and expiry come from its authorization server, so --value, --value-file and --expires do not apply`,
    );
  const [{ readTokens, TOKENS_NAMESPACE }, { forceRefreshLogin }] = await Promise.all([
    import('../../oauth/records.js'),
    import('../../services/oauth-refresh.js'),
  ]);
  const stored = namespace === TOKENS_NAMESPACE ? await readTokens((await ctx.store()).manager, name) : undefined;
  if (!stored) throw new CliError(`'${name}' in namespace '${namespace}' is not an OAuth login made by mcp-cli auth login, so it cannot be refreshed`);
  if (!stored.refreshToken && stored.grant !== 'client_credentials')
    throw new CliError(`the OAuth token of '${name}' has no refresh token, so it cannot be refreshed`, 4, `log in again: mcp-cli auth login ${name}`);
  const fresh = await forceRefreshLogin(ctx, name, stored, 'rotate');
  if (options.json) {
    const { manager, selection } = await ctx.store();
    return changed(ctx, options, 'rotated', [await manager.describe(name, namespace)], selection.name, '');
  }
  const expiry = fresh.expiresAt ? `; it expires ${formatTime(fresh.expiresAt, ctx.tty.stderr)}` : '';
  success(ctx, `Rotated OAuth token '${name}': refreshed at ${fresh.issuer}${expiry}`);
}
