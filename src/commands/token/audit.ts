import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import { parseExpiry, parseDuration } from '../../tokens/duration.js';
import { openAuditLog } from '../shared/audit.js';
import { success } from '../shared/messages.js';
import { formatTime } from '../shared/present.js';

export interface AuditOptions {
  since?: string;
  name?: string;
  namespace?: string;
  action?: string;
  json?: boolean;
  verify?: boolean;
}

/** `--since 7d` (that long ago) or an ISO date. */
function sinceTime(text: string, now: Date): number {
  const ms = parseDuration(text);
  return ms !== undefined ? now.getTime() - ms : parseExpiry(text, now).getTime();
}

export async function run(options: AuditOptions, ctx: Ctx): Promise<void> {
  const log = openAuditLog(ctx);
  if (options.verify) {
    const result = await log.verify();
    if (!result.ok) throw new CliError(`audit log verification failed: ${result.problem}`, 1, `${result.entries} entries before it are intact`);
    success(ctx, `audit log intact: ${result.entries} entries in ${result.files} file${result.files === 1 ? '' : 's'} (${log.path})`);
    return;
  }
  const since = options.since !== undefined ? sinceTime(options.since, ctx.now()) : undefined;
  const records = (await log.records()).filter(
    (r) =>
      (since === undefined || Date.parse(r.time) >= since) &&
      (options.name === undefined || r.name === options.name) &&
      (options.namespace === undefined || r.namespace === options.namespace) &&
      (options.action === undefined || r.action === options.action),
  );
  if (options.json) {
    ctx.stdout.write(JSON.stringify(records, null, 2) + '\n');
    return;
  }
  if (records.length === 0) {
    ctx.stderr.write(`No audit entries${options.since || options.name || options.namespace || options.action ? ' match' : ''} (${log.path}).\n`);
    return;
  }
  const tty = ctx.tty.stdout;
  const rows = records.map((r) => [
    formatTime(r.time, tty),
    r.action,
    r.namespace ?? '',
    r.name ?? '',
    r.backend ?? '',
    `${r.user}/${r.pid}`,
    Object.entries(r.detail ?? {}).map(([k, v]) => `${k}=${v}`).join(', '),
  ]);
  ctx.stdout.write(renderTable(['TIME', 'ACTION', 'NAMESPACE', 'NAME', 'BACKEND', 'USER/PID', 'DETAIL'], rows, tty));
}
