import type { Ctx } from '../../context.js';
import { lockAll } from '../../agent/session.js';
import { success } from '../../io/notices.js';

/** Ends every unlock session of this user: the agent zeroes the keys it holds and exits; running mcp-cli processes that took a key from it drop theirs. */
export async function run(ctx: Ctx): Promise<void> {
  const count = await lockAll(ctx.env);
  if (count === undefined) {
    ctx.stderr.write('Nothing was unlocked.\n');
    return;
  }
  success(
    ctx,
    `Locked ${count === 1 ? 'the encrypted token file' : `${count} encrypted token files`}; the unlock agent has stopped, and running mcp-cli processes let go of the key`,
  );
}
