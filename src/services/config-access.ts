import { existsSync } from 'node:fs';
import { canPrompt, type Ctx } from '../context.js';
import { ApprovalStore, approvalsPath, type ApprovalSubject } from '../config/approvals.js';
import { ownConfigPath, readConfigFile, type ConfigFile } from '../config/file.js';
import { locateConfig } from '../config/locate.js';
import { summarizeConfig } from '../config/summary.js';
import { CancelledError, CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import { displayPath } from '../paths.js';
import { warn } from '../io/notices.js';

/**
 * Which config files a command may act on. The config directory's server_config.json is the
 * user's own. Any other file (`./server_config.json`, `--config`, `MCP_CLI_CONFIG`) may come from
 * a cloned repository: nothing in it is resolved, contacted, started or used as a setting until
 * the user approves it, pinned to its path and content (docs/config.md, "Trust").
 */
interface ConfigState {
  located?: ConfigFile | null;
  own?: ConfigFile | null;
  /** One answer per file and process: a command that reads the config twice asks once. */
  decisions: Map<string, Promise<boolean>>;
}

const states = new WeakMap<Ctx, ConfigState>();

function stateOf(ctx: Ctx): ConfigState {
  let state = states.get(ctx);
  if (!state) states.set(ctx, (state = { decisions: new Map() }));
  return state;
}

/** The file `--config` > `MCP_CLI_CONFIG` > `./server_config.json` (unless the command says not) > the config directory points at, read once. */
export function locatedConfigFile(ctx: Ctx): ConfigFile | undefined {
  const state = stateOf(ctx);
  if (state.located === undefined) {
    const location = locateConfig({ flag: ctx.globals.config, env: ctx.env, cwd: ctx.cwd, workingDirectory: ctx.globals.workingDirectoryConfig });
    state.located = location ? readConfigFile(location, ctx.env) : null;
  }
  return state.located ?? undefined;
}

/** The user's own config file, when it exists. */
export function ownConfigFile(ctx: Ctx): ConfigFile | undefined {
  const state = stateOf(ctx);
  if (state.own === undefined) {
    const located = locatedConfigFile(ctx);
    if (located?.own) state.own = located;
    else {
      const path = ownConfigPath(ctx.env);
      state.own = existsSync(path) ? readConfigFile({ path, source: 'the config directory' }, ctx.env) : null;
    }
  }
  return state.own ?? undefined;
}

export function approvalStore(ctx: Ctx): ApprovalStore {
  return new ApprovalStore(approvalsPath(ctx.env));
}

/** A path as a user would type it in a shell. */
export function shellPath(path: string): string {
  return /^[\w@%+=:,./~-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

const trustCommand = (file: ConfigFile) => `mcp-cli config trust ${shellPath(file.location.path)}`;

/** The lines `config trust` and the prompt show: what the file would make mcp-cli do. */
export function describeConfigFile(file: ConfigFile, data: unknown): string {
  return [`${printable(file.location.path)} would make mcp-cli:`, ...summarizeConfig(data).map((line) => `  ${line}`)].join('\n') + '\n';
}

function parseForSummary(file: ConfigFile): unknown {
  try {
    return JSON.parse(file.text);
  } catch {
    return undefined;
  }
}

/** What an approval of this file is pinned to. */
export function approvalSubject(file: ConfigFile): ApprovalSubject {
  return { path: file.location.path, realPath: file.realPath, text: file.text };
}

/** The file for messages: where it was found, and where it really is when that is a link elsewhere. */
function fileLabel(ctx: Ctx, file: ConfigFile): string {
  const shown = displayPath(file.location.path, ctx.env);
  return printable(file.realPath === file.location.path ? shown : `${shown} (a link to ${displayPath(file.realPath, ctx.env)})`);
}

async function decide(ctx: Ctx, file: ConfigFile): Promise<boolean> {
  if (file.own) return true;
  const store = approvalStore(ctx);
  const { approval, changed } = store.lookup(approvalSubject(file));
  if (approval) {
    ctx.stderr.write(`Using config ${fileLabel(ctx, file)} (approved ${approval.approvedAt.slice(0, 10)})\n`);
    return true;
  }
  if (!canPrompt(ctx)) return false;
  const data = parseForSummary(file);
  ctx.stderr.write(`${fileLabel(ctx, file)} is not your own config file and has not been approved${changed ? ' since it changed' : ''}.\n`);
  if (data === undefined) {
    ctx.stderr.write('It is not valid JSON, so it cannot be approved.\n');
    return false;
  }
  ctx.stderr.write(describeConfigFile(file, data));
  if (!(await ctx.prompter.confirm('Trust this file and let mcp-cli act on it?'))) return false;
  await store.approve(approvalSubject(file), ctx.now());
  ctx.stderr.write(`Approved ${printable(file.location.path)}; an edit to it needs approval again (mcp-cli config untrust removes it).\n`);
  return true;
}

/** Whether the user lets mcp-cli act on this file: their own, approved before, or approved now at a prompt. */
export function mayUse(ctx: Ctx, file: ConfigFile): Promise<boolean> {
  const { decisions } = stateOf(ctx);
  let decision = decisions.get(file.realPath);
  if (!decision) decisions.set(file.realPath, (decision = decide(ctx, file)));
  return decision;
}

/** For commands that act on the servers of the file: an unapproved file stops them before anything happens. */
export async function requireApproved(ctx: Ctx, file: ConfigFile): Promise<void> {
  if (await mayUse(ctx, file)) return;
  const { changed } = approvalStore(ctx).lookup(approvalSubject(file));
  const what = `${fileLabel(ctx, file)} is not approved${changed ? ' (it changed since it was approved)' : ''}, so nothing in it was resolved, contacted or started`;
  if (canPrompt(ctx)) throw new CancelledError(what);
  throw new CliError(
    `${what}: mcp-cli acts on a config file outside your config directory only once you approve it`,
    1,
    `review it, then run: ${trustCommand(file)}`,
  );
}

/** For commands that only read settings from the file: an unapproved file is passed over, and that is said. */
export function warnNotUsed(ctx: Ctx, file: ConfigFile, what: string): void {
  warn(ctx, `${fileLabel(ctx, file)} is not approved, so its ${what} ${what.endsWith('s') ? 'are' : 'is'} not used (approve it: ${trustCommand(file)})`);
}
