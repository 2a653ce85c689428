import type { Ctx } from '../../context.js';
import { CliError, ExitCode } from '../../errors.js';
import { readTokens, TOKENS_NAMESPACE } from '../../oauth/records.js';
import type { TokenManager } from '../../tokens/manager.js';
import { parseExpiry } from '../../tokens/duration.js';
import { PRIMARY_SECRET_FIELD } from '../../tokens/model.js';
import { success } from '../shared/messages.js';
import { openTokenStore } from '../shared/storage.js';
import { namespaceFrom } from './namespace-option.js';
import { readSecretValue } from './read-value.js';

export interface RotateOptions {
  namespace?: string;
  oauth?: boolean;
  value?: string;
  expires?: string;
}

/** An OAuth login rotates by refreshing: the authorization server issues the new tokens. */
async function refreshLogin(ctx: Ctx, manager: TokenManager, name: string, options: RotateOptions): Promise<void> {
  if (options.expires !== undefined) throw new CliError('--expires does not apply to an OAuth login: the authorization server sets the expiry');
  const saved = await readTokens(manager, name);
  if (!saved?.refreshToken) throw new CliError(`the OAuth login of '${name}' has no refresh token to rotate with`, ExitCode.authRequired, `log in again: mcp-cli auth login ${name}`);
  const [{ loadConfigIfAny }, { refreshLoginNow }] = await Promise.all([import('../shared/server-config.js'), import('../shared/oauth-refresh.js')]);
  const fresh = await refreshLoginNow(ctx, manager, await loadConfigIfAny(ctx), name, saved, 'resolved');
  success(ctx, `Refreshed the OAuth login of '${name}' at ${saved.issuer}${fresh.expiresAt ? `; the new access token expires at ${fresh.expiresAt}` : ''}`);
}

export async function run(name: string, options: RotateOptions, ctx: Ctx): Promise<void> {
  const expiresAt = options.expires !== undefined ? parseExpiry(options.expires, ctx.now()) : undefined;
  const { manager } = await openTokenStore(ctx);
  const current = await manager.find(name, namespaceFrom(options));
  if (current.type === 'oauth' && current.namespace === TOKENS_NAMESPACE && options.value === undefined) return refreshLogin(ctx, manager, current.name, options);
  const value = await readSecretValue(ctx, options.value, `Enter the new value for '${name}': `);
  const metadata = await manager.rotate(name, current.namespace, { [PRIMARY_SECRET_FIELD[current.type]]: value }, expiresAt);
  success(ctx, `Rotated ${metadata.type} token '${metadata.name}' in namespace '${metadata.namespace}'`);
}
