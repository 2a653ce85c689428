import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import { parseExpiry, parseDuration } from '../../tokens/duration.js';
import type { AuditRecord, Verification } from '../../audit/file-log.js';
import { printable } from '../../io/terminal-text.js';
import { tildePath } from '../../paths.js';
import { auditLogPlace, auditLogText, openAuditLog } from '../../services/audit.js';
import { shellPath } from '../../services/config-access.js';
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
  return ms !== undefined ? now.getTime() - ms : parseExpiry(text, now, '--since').getTime();
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

/**
 * The chain, and against the anchor in the active backend: both ends, every line's MAC, the last
 * checkpoint. It names the log it checked: a log a variable moved is not the default one, and the
 * logs that the default one says took entries instead are not checked either.
 */
async function verify(ctx: Ctx): Promise<void> {
  const { store } = await ctx.store();
  const place = auditLogPlace(ctx);
  const log = openAuditLog(ctx, store);
  const result = await log.verify();
  if (!result.ok)
    throw new CliError(
      `audit log verification failed: ${result.problem}`,
      1,
      result.hint ?? (result.entries > 0 ? `${result.entries} entries before it are intact` : undefined),
    );
  reportVerified(ctx, store.backend, result, auditLogText(ctx, place));
  if (place.movedBy)
    warn(
      ctx,
      `the default audit log ${tildePath(place.defaultPath, ctx.home)} was not checked: ${place.movedBy} moved the log (run without it to check that one)`,
    );
  else warnOfMovedEntries(ctx, await log.records());
}

function reportVerified(ctx: Ctx, backend: string, result: Verification, place: string): void {
  const where = `${result.entries} entries in ${result.files} file${result.files === 1 ? '' : 's'} (${place})`;
  if (result.anchored) success(ctx, `audit log intact: ${where}, checked against its anchor in the ${backend} backend`);
  else if (result.entries === 0) success(ctx, `audit log intact: no entries yet (${place})`);
  else {
    success(ctx, `audit log intact as far as its hash chain shows: ${where}`);
    warn(
      ctx,
      `the log has no anchor in the ${backend} backend yet, so entries removed from its start or end would go unnoticed; the next token access anchors it`,
    );
  }
}

/** The logs other processes wrote their entries to instead (their `log-moved` entries here), which this check did not cover. */
function warnOfMovedEntries(ctx: Ctx, records: AuditRecord[]): void {
  const moved = new Map<string, { movedBy: string; processes: number; last: string }>();
  for (const r of records) {
    if (r.action !== 'log-moved' || typeof r.detail?.log !== 'string') continue;
    const seen = moved.get(r.detail.log);
    moved.set(r.detail.log, { movedBy: String(r.detail.movedBy), processes: (seen?.processes ?? 0) + 1, last: r.time });
  }
  for (const [path, m] of moved)
    warn(
      ctx,
      printable(
        `${m.processes} process${m.processes === 1 ? '' : 'es'} wrote ${m.processes === 1 ? 'its' : 'their'} entries to ${path} instead (moved there by ${m.movedBy}; last at ${m.last}), which this check does not cover: MCP_CLI_AUDIT_LOG=${shellPath(path)} mcp-cli token audit --verify checks it`,
      ),
    );
}
