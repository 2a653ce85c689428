import { resolve } from 'node:path';
import type { Ctx } from '../../context.js';
import type { ConfigFile } from '../../config/file.js';
import { parseJsonText } from '../../config/json.js';
import { CliError } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import { printable } from '../../io/terminal-text.js';
import { approvalStatus, approvalStore, approveConfigFile, describeConfigFile, locatedConfigFile, readConfigAt } from '../../services/config-access.js';
import { success } from '../../io/notices.js';
import { tableOutput } from '../shared/present.js';

export interface TrustOptions {
  list?: boolean;
  json?: boolean;
}

/** The file named on the command line, else the one a command would use here. */
function targetFile(path: string | undefined, ctx: Ctx): ConfigFile {
  if (path !== undefined) return readConfigAt(ctx, resolve(ctx.cwd, path), 'the command line');
  const file = locatedConfigFile(ctx);
  if (!file)
    throw new CliError(`no config file is used here (none in ${ctx.cwd}, none in the config directory)`, 1, 'name the file: mcp-cli config trust PATH');
  return file;
}

/** `config trust [PATH]`: shows what the file would make mcp-cli do, then approves it, pinned to its path and content (a moved config directory: as a whole). */
export async function run(path: string | undefined, options: TrustOptions, ctx: Ctx): Promise<void> {
  if (options.list) return list(options, ctx);
  if (options.json) throw new CliError('--json goes with --list');
  const file = targetFile(path, ctx);
  if (file.own) {
    ctx.stderr.write(`${printable(file.location.path)} is your own config file (in the config directory); it needs no approval.\n`);
    return;
  }
  const data = parseJsonText(file.text, file.location.path);
  const { parseServerConfig } = await import('../../config/schema.js');
  parseServerConfig(data, file.location);
  ctx.stdout.write(describeConfigFile(file, data));
  success(ctx, await approveConfigFile(ctx, file));
}

/** `config untrust [PATH]`: removes the approval, whatever the file holds now. */
export async function untrust(path: string | undefined, ctx: Ctx): Promise<void> {
  const given = path !== undefined ? resolve(ctx.cwd, path) : targetFile(undefined, ctx).location.path;
  if (!(await approvalStore(ctx).revoke(given)))
    throw new CliError(`${printable(given)} is not approved`, 1, 'mcp-cli config trust --list shows the approved files');
  success(ctx, `Removed the approval of ${printable(given)}`);
}

function list(options: TrustOptions, ctx: Ctx): void {
  const rows = approvalStore(ctx)
    .list()
    .map((a) => ({ path: a.path, kind: a.kind ?? 'file', status: approvalStatus(ctx, a), approvedAt: a.approvedAt }));
  if (options.json) {
    ctx.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  if (rows.length === 0) {
    ctx.stderr.write('No config files are approved (your own, in the config directory, needs no approval).\n');
    return;
  }
  ctx.stdout.write(
    renderTable(
      [{ title: 'PATH', flex: true }, 'STATUS', 'APPROVED'],
      rows.map((r) => ({
        cells: [r.kind === 'directory' ? `${r.path}/ (the directory)` : r.path, r.status, r.approvedAt],
        tone: r.status === 'approved' ? undefined : ('yellow' as const),
      })),
      tableOutput(ctx),
    ),
  );
}
