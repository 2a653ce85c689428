import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { holdKey } from '../../agent/session.js';
import { MAX_TTL_MS } from '../../agent/protocol.js';
import { EncryptedFileStore } from '../../stores/encrypted/store.js';
import { requireDuration } from '../../tokens/duration.js';
import { success } from '../../io/notices.js';

export interface UnlockOptions {
  timeout?: string;
}

export const DEFAULT_UNLOCK_TIMEOUT = '15m';

/**
 * Asks the encrypted file's passphrase once (or takes MCP_CLI_ENCRYPTION_KEY) and hands the
 * unwrapped data key to this user's unlock agent, so that later commands need neither until
 * the timeout or `mcp-cli token lock`.
 */
export async function run(options: UnlockOptions, ctx: Ctx): Promise<void> {
  const text = options.timeout ?? DEFAULT_UNLOCK_TIMEOUT;
  const ttlMs = requireDuration(text, '--timeout');
  if (ttlMs < 1000 || ttlMs > MAX_TTL_MS) throw new CliError(`invalid --timeout ${JSON.stringify(text)}: between 1s and 7d`);
  if (ctx.platform === 'win32')
    throw new CliError('unlock sessions need unix sockets and are not available on Windows', 1, 'set MCP_CLI_ENCRYPTION_KEY instead');
  const { store, selection } = await ctx.store();
  if (!(store instanceof EncryptedFileStore))
    throw new CliError(
      `the active backend is '${store.backend}' (${selection.reason}); only the encrypted file is unlocked this way`,
      1,
      'to unlock the encrypted file anyway, add --token-backend encrypted',
    );
  const key = await store.unlockWithPassphrase();
  try {
    const until = await holdKey(ctx.env, ctx.self, key, ttlMs);
    success(ctx, `Unlocked ${key.label} until ${until.toISOString()} (${text}); \`mcp-cli token lock\` locks it again`);
  } finally {
    key.dataKey.fill(0);
  }
}
