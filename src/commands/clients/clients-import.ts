import { resolve } from 'node:path';
import { applyImport } from '../../clients/apply.js';
import { unifiedDiff } from '../../clients/diff.js';
import { planImport, type ImportPlan } from '../../clients/plan.js';
import { describeField } from '../../clients/scan.js';
import { maskedHint, secretsInData } from '../../clients/secrets.js';
import { canPrompt, type Ctx } from '../../context.js';
import { CancelledError, CliError } from '../../errors.js';
import { printable } from '../../io/terminal-text.js';
import { displayPath } from '../../paths.js';
import { keyOf } from '../../tokens/model.js';
import { success, warn } from '../../io/notices.js';
import { clientId, nameList, secretMasker, withClientsLock } from './shared.js';

export interface ClientsImportOptions {
  project?: string;
  servers?: string;
  dryRun?: boolean;
  rename?: boolean;
  overwrite?: boolean;
  command?: string;
  json?: boolean;
  yes?: boolean;
}

const quoteArg = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a));

function target(entry: Record<string, unknown>): string {
  if (typeof entry.url === 'string') return `${entry.transport === 'sse' ? 'sse' : 'http'} ${entry.url}`;
  const args = Array.isArray(entry.args) ? (entry.args as string[]) : [];
  return `stdio ${[String(entry.command), ...args].map(quoteArg).join(' ')}`;
}

/** The plaintext values the user's own server_config.json may hold: its diff masks them too. */
function secretsInConfig(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    return secretsInData(JSON.parse(text));
  } catch {
    return [];
  }
}

function planText(plan: ImportPlan, ctx: Ctx): string {
  const lines: string[] = [];
  const shown = (p: string) => printable(displayPath(p, ctx.env));
  for (const file of plan.files) {
    const items = plan.items.filter((i) => i.file === file);
    const skipped = plan.skipped.filter((s) => s.file === file);
    if (items.length === 0 && skipped.length === 0) continue;
    lines.push(`${plan.client.name}: ${shown(file.path)}`);
    for (const item of items) {
      const where = item.server.label ? ` (${printable(item.server.label)})` : '';
      lines.push(`  ${printable(item.server.name)}${where} → server '${printable(item.serverName)}': ${printable(target(item.configEntry))}`);
      for (const t of item.tokens) {
        const replaced = plan.replaces.tokens.includes(keyOf(t)) ? ' (replacing the stored one)' : '';
        // The label and the hint come from the file's keys and values: a repository's file may hold escape sequences there.
        lines.push(
          printable(
            `    ${describeField(t.field)}  ${t.finding.match.kind} (${t.finding.match.label})  ${maskedHint(t.finding.value)}  → \${TOKEN:${t.namespace}:${t.name}}${replaced}`,
          ),
        );
      }
      if (item.tokens.length === 0) lines.push('    no plaintext secret');
      for (const moved of item.movedHeaders)
        lines.push(`    ${describeField(moved.field)}: mcp-remote gets the header from ${moved.variable} in its environment, not from its command line`);
    }
    for (const s of skipped) lines.push(`  ${printable(s.server.name)}: skipped, ${printable(s.reason)}`);
  }
  const launch = [plan.launcher.command, ...plan.launcher.args, 'run', 'NAME'].map(quoteArg).join(' ');
  if (plan.items.length > 0)
    lines.push(
      `Rewritten entries start: ${printable(launch)} (${plan.launcher.why === '--command' ? 'as --command says' : `${plan.launcher.why}; --command to choose`})`,
    );
  return lines.join('\n') + '\n';
}

/** The sentences that warn of a secret left on a server's command line, which any local user can read. */
function argvWarnings(item: ImportPlan['items'][number], configPath: string): string[] {
  return item.argv.map(
    (field) =>
      `${item.serverName}: ${describeField(field)} puts its secret on the command line of the server, which other local users can read (ps, /proc): ` +
      `if the server also reads it from an environment variable, move it into the entry's env in ${configPath}`,
  );
}

function planJson(plan: ImportPlan, dryRun: boolean) {
  return {
    client: plan.client.id,
    dryRun,
    launch: { command: plan.launcher.command, args: [...plan.launcher.args, 'run'] },
    servers: plan.items.map((item) => ({
      file: item.file.path,
      name: item.server.name,
      scope: item.server.label ?? null,
      server: item.serverName,
      replacesServer: plan.replaces.servers.includes(item.serverName),
      tokens: item.tokens.map((t) => ({
        where: describeField(t.field),
        kind: t.finding.match.kind,
        looksLike: t.finding.match.label,
        hint: maskedHint(t.finding.value),
        namespace: t.namespace,
        name: t.name,
        replaces: plan.replaces.tokens.includes(keyOf(t)),
      })),
      headersInEnv: item.movedHeaders.map((m) => ({ where: describeField(m.field), variable: m.variable })),
      warnings: argvWarnings(item, plan.config.path),
    })),
    skipped: plan.skipped.map((s) => ({ file: s.file.path, name: s.server.name, reason: s.reason })),
    files: [plan.config, ...plan.changes].map((c) => ({ path: c.path, changed: c.before?.text !== c.after })),
  };
}

/**
 * `mcp-cli clients import CLIENT`: the client's plaintext secrets go into the token store, its
 * servers into the user's server_config.json with `${TOKEN:...}` references, and its entries become
 * `mcp-cli run NAME`. The plan is shown first; `--dry-run` shows it with a diff of each file and
 * writes nothing. `mcp-cli clients restore CLIENT` undoes it.
 */
export async function run(client: string, options: ClientsImportOptions, ctx: Ctx): Promise<void> {
  const id = clientId(client);
  const servers = nameList(options.servers);
  const { manager } = await ctx.store();
  const existingTokens = new Set((await manager.list()).map(keyOf));
  await withClientsLock(ctx, async () => {
    const plan = planImport(
      { env: ctx.env, platform: ctx.platform, self: ctx.self, existingTokens },
      {
        client: id,
        ...(options.project !== undefined ? { project: resolve(ctx.cwd, options.project) } : {}),
        ...(servers ? { servers } : {}),
        rename: options.rename ?? false,
        overwrite: options.overwrite ?? false,
        ...(options.command !== undefined ? { command: options.command } : {}),
      },
    );
    if (options.json) ctx.stdout.write(JSON.stringify(planJson(plan, options.dryRun ?? false), null, 2) + '\n');
    else ctx.stdout.write(planText(plan, ctx));
    for (const item of plan.items) for (const line of argvWarnings(item, displayPath(plan.config.path, ctx.env))) warn(ctx, printable(line));
    if (plan.items.length === 0) {
      ctx.stderr.write(`Nothing to import from ${plan.client.name}.\n`);
      return;
    }
    if (options.project !== undefined)
      warn(
        ctx,
        `${plan.changes.map((c) => printable(c.path)).join(', ')} ${plan.changes.length === 1 ? 'is a project file' : 'are project files'}, usually committed and shared with a team: ` +
          'only the entries above are rewritten, and they work for whoever has the same servers in their own server_config.json. ' +
          'The ${TOKEN:...} references went to your own server_config.json, not into the project: a server_config.json in a project is acted on only once each user approves it with `mcp-cli config trust`. ' +
          'Secrets that were ever committed are in the repository history: rotate them.',
      );
    if (options.dryRun) {
      if (!options.json) {
        const show = secretMasker(plan.files, secretsInConfig(plan.config.before?.text));
        for (const change of [plan.config, ...plan.changes]) {
          const label = printable(displayPath(change.path, ctx.env));
          ctx.stdout.write(unifiedDiff(change.before?.text ?? '', change.after, { from: change.before ? label : '/dev/null', to: label }, show));
        }
      }
      ctx.stderr.write('Dry run: nothing was written.\n');
      return;
    }
    if (!options.yes) {
      if (!canPrompt(ctx))
        throw new CliError(
          'refusing to import without confirmation; nothing was written',
          1,
          '--yes is required when not running interactively (--dry-run shows the plan and a diff)',
        );
      if (
        !(await ctx.prompter.confirm(
          `Import ${plan.items.length === 1 ? 'this server' : `these ${plan.items.length} servers`} and rewrite ${plan.client.name}'s entries?`,
        ))
      )
        throw new CancelledError('cancelled; nothing was written');
    }
    await applyImport(manager, plan, ctx.now());
    const tokens = plan.items.reduce((n, i) => n + i.tokens.length, 0);
    success(ctx, `Stored ${tokens} ${tokens === 1 ? 'token' : 'tokens'} in ${manager.backend} (${printable(manager.location)})`);
    success(ctx, `Added ${plan.items.map((i) => `'${printable(i.serverName)}'`).join(', ')} to ${printable(displayPath(plan.config.path, ctx.env))}`);
    for (const change of plan.changes) success(ctx, `Rewrote ${printable(displayPath(change.path, ctx.env))}: its entries start mcp-cli run`);
    if (manager.backend === 'encrypted')
      warn(
        ctx,
        `the tokens are in the encrypted file: ${plan.client.name} starts mcp-cli run without a terminal to ask its passphrase, so run \`mcp-cli token unlock --timeout 1d\` first (an unlock lasts at most 7d), or use the OS keychain, which auto chooses where a desktop session has one`,
      );
    ctx.stderr.write(`Undo it with: mcp-cli clients restore ${id}\n`);
  });
}
