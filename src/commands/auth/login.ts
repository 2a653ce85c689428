import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { interruptSignal } from '../../io/interrupt.js';
import { printable } from '../../io/terminal-text.js';
import { login } from '../../oauth/login.js';
import { parseDuration } from '../../tokens/duration.js';
import { validateIdentifier } from '../../tokens/names.js';
import { formatTime } from '../shared/present.js';
import { findOAuthTarget } from '../../services/oauth-target.js';

export interface LoginOptions {
  browser?: boolean;
  device?: boolean;
  scope?: string;
  timeout?: string;
  /** A named account's login, beside the server's default one. */
  account?: string;
}

/** `--timeout`: a duration (`90s`, `5m`) or a number of seconds. */
export function parseTimeout(text: string): number {
  const ms = /^\d+$/.test(text.trim()) ? Number(text) * 1000 : parseDuration(text);
  if (ms === undefined || ms <= 0) throw new CliError(`invalid --timeout ${JSON.stringify(text)}: expected seconds or a duration such as 90s or 5m`);
  return ms;
}

export async function run(server: string, options: LoginOptions, ctx: Ctx): Promise<void> {
  validateIdentifier('name', server);
  if (options.account !== undefined) validateIdentifier('account', options.account);
  if (options.device && options.browser === false)
    throw new CliError('--device and --no-browser are two ways to log in without a browser here; give one of them');
  const mode = options.device ? 'device' : options.browser === false ? 'paste' : 'auto';
  const timeoutMs = options.timeout !== undefined ? parseTimeout(options.timeout) : undefined;
  const target = await findOAuthTarget(server, ctx, options.account);
  const { manager, selection } = await ctx.store();
  const interrupt = interruptSignal();
  try {
    const tokens = await login({ target, manager, io: ctx, mode, scope: options.scope, timeoutMs, signal: interrupt.signal });
    const expiry = tokens.expiresAt ? `, expires ${formatTime(tokens.expiresAt, ctx.tty.stderr)}` : '';
    const how = tokens.grant === 'client_credentials' ? ' as its own client (client credentials)' : tokens.grant === 'device_code' ? ' with a device code' : '';
    ctx.stderr.write(
      printable(
        `✓ Logged in to '${server}'${options.account !== undefined ? ` as the account '${options.account}'` : ''}${how} (issuer ${tokens.issuer}${tokens.scope ? `, scope ${tokens.scope}` : ''}${expiry}${tokens.tokenType === 'DPoP' ? ', DPoP-bound' : ''}); tokens stored in the ${selection.name} backend`,
      ) + '\n',
    );
    if (tokens.dpop && tokens.tokenType !== 'DPoP')
      ctx.stderr.write(
        `! The authorization server issued ${printable(tokens.tokenType)} tokens though they were asked for with a DPoP key: they are not sender-constrained\n`,
      );
    if (!tokens.resource)
      ctx.stderr.write(`! No resource indicator was sent ("resource": false): these tokens are not bound to '${server}' by their audience\n`);
  } finally {
    interrupt.dispose();
  }
}
