import type { Ctx } from '../../context.js';
import { success, warn } from '../../io/notices.js';
import { printable } from '../../io/terminal-text.js';
import { isExpired, type TokenMetadata } from '../../tokens/model.js';
import { tokenJson } from './present.js';

/**
 * What `set`, `rotate`, `delete` and `clear` changed: with `--json` an object on stdout
 * (`{"action", "backend", "tokens": [...]}`, metadata only), else the confirmation on stderr.
 */
export function changed(ctx: Ctx, options: { json?: boolean }, action: string, tokens: TokenMetadata[], backend: string, confirmation: string): void {
  if (options.json) {
    const now = ctx.now();
    ctx.stdout.write(JSON.stringify({ action, backend, tokens: tokens.map((m) => tokenJson(m, now)) }, null, 2) + '\n');
    return;
  }
  success(ctx, printable(confirmation));
}

/** Storing a token whose expiry has passed is allowed (a record, a test), but never silent. */
export function warnIfExpired(ctx: Ctx, metadata: TokenMetadata): void {
  if (!isExpired(metadata, ctx.now())) return;
  warn(
    ctx,
    printable(
      `token '${metadata.name}' in namespace '${metadata.namespace}' expired at ${metadata.expiresAt}: it is stored, but servers and \`run\` will refuse it (set a later --expires)`,
    ),
  );
}
