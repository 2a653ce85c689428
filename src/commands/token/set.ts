import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { parseExpiry } from '../../tokens/duration.js';
import { PRIMARY_SECRET_FIELD, TOKEN_TYPES, parseTokenType, type TokenType } from '../../tokens/model.js';
import { success } from '../shared/messages.js';
import { openTokenStore } from '../shared/storage.js';
import { readSecretValue } from './read-value.js';

export interface SetOptions {
  type: string;
  namespace?: string;
  provider?: string;
  value?: string;
  expires?: string;
  organization?: string;
  project?: string;
  username?: string;
}

export async function run(name: string, options: SetOptions, ctx: Ctx): Promise<void> {
  const type = parseTokenType(options.type);
  if (!type) throw new CliError(`unknown token type ${JSON.stringify(options.type)}`, 1, `choose one of: ${TOKEN_TYPES.join(', ')}`);
  if (type === 'oauth') throw new CliError('OAuth tokens are stored by logging in', 1, 'run `mcp-cli auth login SERVER`');
  if (type === 'client-cert') throw new CliError('client certificates are stored with --cert and --key files');
  if (type === 'basic' && !options.username) throw new CliError('a basic token needs --username (the password is the value)');
  const expiresAt = options.expires !== undefined ? parseExpiry(options.expires, ctx.now()) : undefined;
  const details = detailsFor(type, options);

  const { manager, selection } = await openTokenStore(ctx);
  const value = await readSecretValue(ctx, options.value, `Enter token value for '${name}': `);
  const { metadata, replaced } = await manager.set({
    name,
    type,
    namespace: options.namespace,
    provider: options.provider,
    expiresAt,
    details,
    secret: { [PRIMARY_SECRET_FIELD[type]]: value },
  });
  success(ctx, `${replaced ? 'Updated' : 'Stored'} ${type} token '${metadata.name}' in namespace '${metadata.namespace}' (${selection.name} backend)`);
}

function detailsFor(type: TokenType, options: SetOptions): Record<string, string> {
  const details: Record<string, string> = {};
  if (options.organization) details.organization = options.organization;
  if (options.project) details.project = options.project;
  if (type === 'basic' && options.username) details.username = options.username;
  return details;
}
