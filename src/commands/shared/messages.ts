import type { Ctx } from '../../context.js';
import { colorEnabled, createStyle } from '../../io/style.js';

function style(ctx: Ctx) {
  return createStyle(colorEnabled(ctx.env, ctx.tty.stderr));
}

/** A confirmation on stderr: `✓ Stored ...`. */
export function success(ctx: Ctx, text: string): void {
  ctx.stderr.write(`${style(ctx).green('✓')} ${text}\n`);
}

/** A warning on stderr: `! ...`. */
export function warn(ctx: Ctx, text: string): void {
  ctx.stderr.write(`${style(ctx).yellow('!')} ${text}\n`);
}
