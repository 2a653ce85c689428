import type { Ctx } from '../../context.js';
import { namespaceFrom } from './namespace-option.js';
import { changed } from '../shared/messages.js';

export interface DeleteOptions {
  namespace?: string;
  oauth?: boolean;
  json?: boolean;
}

export async function run(name: string, options: DeleteOptions, ctx: Ctx): Promise<void> {
  const { manager, selection } = await ctx.store();
  const deleted = await manager.delete(name, namespaceFrom(options));
  changed(ctx, options, 'deleted', [deleted], selection.name, `Deleted ${deleted.type} token '${deleted.name}' from namespace '${deleted.namespace}'`);
}
