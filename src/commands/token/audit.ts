import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import { parseExpiry, parseDuration } from '../../tokens/duration.js';
import { openAuditLog } from '../../services/audit.js';
import { success, warn } from '../../io/notices.js';
import { formatTime, tableOutput } from '../shared/present.js';

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
  if (options.verify) return verify(ctx);
  const log = openAuditLog(ctx);
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
    Object.entries(r.detail ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
  ]);
  ctx.stdout.write(renderTable(['TIME', 'ACTION', 'NAMESPACE', 'NAME', 'BACKEND', 'USER/PID', { title: 'DETAIL', flex: true }], rows, tableOutput(ctx)));
}

/** The chain, and against the anchor in the active backend: both ends, every line's MAC, the last checkpoint. */
async function verify(ctx: Ctx): Promise<void> {
  const { store } = await ctx.store();
  const log = openAuditLog(ctx, store);
  const result = await log.verify();
  if (!result.ok)
    throw new CliError(
      `audit log verification failed: ${result.problem}`,
      1,
      result.hint ?? (result.entries > 0 ? `${result.entries} entries before it are intact` : undefined),
    );
  const where = `${result.entries} entries in ${result.files} file${result.files === 1 ? '' : 's'} (${log.path})`;
  if (result.anchored) success(ctx, `audit log intact: ${where}, checked against its anchor in the ${store.backend} backend`);
  else if (result.entries === 0) success(ctx, `audit log intact: no entries yet (${log.path})`);
  else {
    success(ctx, `audit log intact as far as its hash chain shows: ${where}`);
    warn(
      ctx,
      `the log has no anchor in the ${store.backend} backend yet, so entries removed from its start or end would go unnoticed; the next token access anchors it`,
    );
  }
}
