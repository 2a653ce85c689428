import type { Ctx } from '../../context.js';
import { success } from '../shared/messages.js';
import { namespaceFrom } from './namespace-option.js';

export interface DeleteOptions {
  namespace?: string;
  oauth?: boolean;
}

export async function run(name: string, options: DeleteOptions, ctx: Ctx): Promise<void> {
  const { manager } = await ctx.store();
  const deleted = await manager.delete(name, namespaceFrom(options));
  success(ctx, `Deleted ${deleted.type} token '${deleted.name}' from namespace '${deleted.namespace}'`);
}
