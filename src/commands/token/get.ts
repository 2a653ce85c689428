import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { printable } from '../../io/terminal-text.js';
import { isExpired, primaryValue } from '../../tokens/model.js';
import { warn } from '../../io/notices.js';
import { namespaceFrom } from './namespace-option.js';
import { detailsCell, expiryLine, formatTime, tokenJson } from '../shared/present.js';

export interface GetOptions {
  namespace?: string;
  oauth?: boolean;
  showValue?: boolean;
  json?: boolean;
}

export async function run(name: string, options: GetOptions, ctx: Ctx): Promise<void> {
  const namespace = namespaceFrom(options);
  const { manager, selection } = await ctx.store();
  if (options.showValue) {
    const token = await manager.reveal(name, namespace);
    const value = primaryValue(token);
    if (value === undefined) throw new CliError(`token '${name}' in namespace '${token.metadata.namespace}' has no value`);
    if (isExpired(token.metadata, ctx.now())) warn(ctx, `token '${name}' in namespace '${token.metadata.namespace}' expired at ${token.metadata.expiresAt}`);
    ctx.stdout.write(options.json ? JSON.stringify({ value }) + '\n' : value + '\n');
    return;
  }
  const metadata = await manager.describe(name, namespace);
  const now = ctx.now();
  if (options.json) {
    ctx.stdout.write(JSON.stringify({ ...tokenJson(metadata, now), backend: selection.name }, null, 2) + '\n');
    return;
  }
  const tty = ctx.tty.stdout;
  const lines: [string, string][] = [
    ['Name', metadata.name],
    ['Namespace', metadata.namespace],
    ['Type', metadata.type],
    ['Provider', metadata.provider ?? '-'],
    ['Created', formatTime(metadata.createdAt, tty)],
    ['Updated', formatTime(metadata.updatedAt, tty)],
    ['Expires', expiryLine(metadata, now, tty)],
    ['Details', detailsCell({ ...metadata, provider: undefined }) || '-'],
    ['Backend', selection.name],
    ['Value', 'hidden (use --show-value to print it)'],
  ];
  ctx.stdout.write(lines.map(([k, v]) => `${(k + ':').padEnd(11)}${printable(v)}\n`).join(''));
}
