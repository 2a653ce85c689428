import type { Ctx } from '../../context.js';
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

export async function run(name: string, options: RotateOptions, ctx: Ctx): Promise<void> {
  const expiresAt = options.expires !== undefined ? parseExpiry(options.expires, ctx.now()) : undefined;
  const { manager } = await openTokenStore(ctx);
  const current = await manager.find(name, namespaceFrom(options));
  const value = await readSecretValue(ctx, options.value, `Enter the new value for '${name}': `);
  const metadata = await manager.rotate(name, current.namespace, { [PRIMARY_SECRET_FIELD[current.type]]: value }, expiresAt);
  success(ctx, `Rotated ${metadata.type} token '${metadata.name}' in namespace '${metadata.namespace}'`);
}
