import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { interruptSignal } from '../../io/interrupt.js';
import { readAll } from '../../io/read-stdin.js';
import { printable } from '../../io/terminal-text.js';
import { requireIdpSettings } from '../../services/idp-settings.js';
import { formatTime } from '../shared/present.js';
import { parseTimeout } from './login.js';

export interface IdpLoginOptions {
  browser?: boolean;
  idTokenStdin?: boolean;
  timeout?: string;
}

/** `mcp-cli auth idp login`: the one sign-in to the identity provider of your own config, for every server with `"idp": true`. */
export async function login(options: IdpLoginOptions, ctx: Ctx): Promise<void> {
  if (options.idTokenStdin && (options.browser === false || options.timeout !== undefined))
    throw new CliError('--id-token-stdin reads an ID token instead of signing in: --no-browser and --timeout do not apply to it');
  if (options.idTokenStdin && ctx.tty.stdin)
    throw new CliError(
      '--id-token-stdin reads the ID token from a pipe, not a terminal',
      1,
      'pipe it in: your-sso-tool | mcp-cli auth idp login --id-token-stdin',
    );
  const settings = await requireIdpSettings(ctx);
  const timeoutMs = options.timeout !== undefined ? parseTimeout(options.timeout) : undefined;
  const { manager, selection } = await ctx.store();
  const { idpLogin, importIdToken } = await import('../../oauth/idp/login.js');
  const interrupt = interruptSignal();
  try {
    const session = options.idTokenStdin
      ? await importIdToken(manager, settings, await readAll(ctx.stdin), ctx.now())
      : await idpLogin({ settings, manager, io: ctx, mode: options.browser === false ? 'paste' : 'browser', timeoutMs, signal: interrupt.signal });
    const expiry = session.expiresAt ? `, ID token expires ${formatTime(session.expiresAt, ctx.tty.stderr)}` : '';
    ctx.stderr.write(
      printable(
        `✓ Signed in to your identity provider ${session.issuer}${session.subject ? ` as ${session.subject}` : ''}${expiry}${session.refreshToken ? ', renewed automatically' : ''}; stored in the ${selection.name} backend`,
      ) + '\n',
    );
  } finally {
    interrupt.dispose();
  }
}
