import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { canPrompt, type Ctx } from '../context.js';
import { ApprovalStore, approvalsPath, type Approval, type ApprovalSubject, type DirectorySubject } from '../config/approvals.js';
import { configDirFile, openToOthers, readConfigFile, type ConfigFile } from '../config/file.js';
import { parseJsonText } from '../config/json.js';
import { locateConfig } from '../config/locate.js';
import { summarizeConfig } from '../config/summary.js';
import { CancelledError, CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import { ownConfigDir, samePath, tildePath } from '../paths.js';
import { warn } from '../io/notices.js';

/**
 * Which config files a command may act on. `~/.config/mcp-cli/server_config.json` of the account's
 * home (from the system's user database, never HOME) is the user's own. Any other file
 * (`./server_config.json`, `--config`, `MCP_CLI_CONFIG`, the config directory that
 * MCP_CLI_CONFIG_DIR, XDG_CONFIG_HOME or HOME moved) may come from a cloned repository, or from a
 * project file that sets those variables for `mcp-cli run`: nothing in it is resolved, contacted,
 * started or used as a setting until the user approves it, pinned to its path and content, or, for
 * a moved config directory only this account can write to, the directory as a whole
 * (docs/config.md, "Trust").
 */
interface ConfigState {
  located?: ConfigFile | null;
  inConfigDir?: ConfigFile | null;
  /** One answer per file and process: a command that reads the config twice asks once. */
  decisions: Map<string, Promise<boolean>>;
}

const states = new WeakMap<Ctx, ConfigState>();

function stateOf(ctx: Ctx): ConfigState {
  let state = states.get(ctx);
  if (!state) states.set(ctx, (state = { decisions: new Map() }));
  return state;
}

/** Reads a config file, telling the user's own and a moved config directory's apart. */
export function readConfigAt(ctx: Ctx, path: string, source: string): ConfigFile {
  return readConfigFile({ path, source }, ctx.env, ctx.home);
}

/** The file `--config` > `MCP_CLI_CONFIG` > `./server_config.json` (unless the command says not) > the config directory points at, read once. */
export function locatedConfigFile(ctx: Ctx): ConfigFile | undefined {
  const state = stateOf(ctx);
  if (state.located === undefined) {
    const location = locateConfig({ flag: ctx.globals.config, env: ctx.env, cwd: ctx.cwd, workingDirectory: ctx.globals.workingDirectoryConfig });
    state.located = location ? readConfigFile(location, ctx.env, ctx.home) : null;
  }
  return state.located ?? undefined;
}

/**
 * The config directory's server_config.json, when it exists: what a command falls back on when the
 * located file may not be used. The user's own, or, in a directory a variable moved, a file that
 * needs approval like any other.
 */
export function configDirectoryFile(ctx: Ctx): ConfigFile | undefined {
  const state = stateOf(ctx);
  if (state.inConfigDir === undefined) {
    const located = locatedConfigFile(ctx);
    const path = configDirFile(ctx.env);
    if (located && samePath(located.location.path, path)) state.inConfigDir = located;
    else state.inConfigDir = existsSync(path) ? readConfigAt(ctx, path, 'the config directory') : null;
  }
  return state.inConfigDir ?? undefined;
}

export function approvalStore(ctx: Ctx): ApprovalStore {
  return new ApprovalStore(approvalsPath(ctx.home));
}

function directorySubject(dir: string): DirectorySubject {
  const path = resolve(dir);
  let realPath: string;
  try {
    realPath = realpathSync(path);
  } catch {
    realPath = path;
  }
  return { path, realPath };
}

/** The approval of a moved config directory, while it and its server_config.json are still this account's alone. */
function directoryApproval(ctx: Ctx, dir: string): Approval | undefined {
  const approval = approvalStore(ctx).lookupDirectory(directorySubject(dir));
  return approval && openToOthers(dir) === undefined ? approval : undefined;
}

export type ApprovalStatus = 'approved' | 'changed' | 'missing';

/** How an approval stands now: approved, changed (other content, a link retargeted, a directory others may now write to), or missing. */
export function approvalStatus(ctx: Ctx, approval: Approval): ApprovalStatus {
  if (approval.kind === 'directory') {
    if (!existsSync(approval.path)) return 'missing';
    return directoryApproval(ctx, approval.path) ? 'approved' : 'changed';
  }
  let file: ConfigFile;
  try {
    file = readConfigAt(ctx, approval.path, 'an approval');
  } catch {
    return 'missing';
  }
  return approvalStore(ctx).lookup(approvalSubject(file)).approval ? 'approved' : 'changed';
}

/** Whether the file may be used without asking: the user's own, in an approved moved config directory, or approved as it is now. */
export function approvedAlready(ctx: Ctx, file: ConfigFile): boolean {
  return (
    file.own ||
    (file.relocated !== undefined && directoryApproval(ctx, file.relocated.dir) !== undefined) ||
    approvalStore(ctx).lookup(approvalSubject(file)).approval !== undefined
  );
}

/**
 * Approves the file: a moved config directory that only this account can write to as a whole (its
 * server_config.json is then used whatever it holds, as the user's own is), anything else pinned to
 * its path and content. Says what was approved, in words.
 */
export async function approveConfigFile(ctx: Ctx, file: ConfigFile): Promise<string> {
  const store = approvalStore(ctx);
  const path = printable(file.location.path);
  if (file.relocated) {
    const open = openToOthers(file.relocated.dir);
    if (open === undefined) {
      await store.approveDirectory(directorySubject(file.relocated.dir), ctx.now());
      return `Approved the config directory ${printable(file.relocated.dir)} (from ${file.relocated.by}): its server_config.json is used from now on, edits included (mcp-cli config untrust removes the approval)`;
    }
    await store.approve(approvalSubject(file), ctx.now());
    return `Approved ${path} as it is now, not its directory, because ${open}: any edit to it needs approval again`;
  }
  await store.approve(approvalSubject(file), ctx.now());
  return `Approved ${path}: mcp-cli may now act on it; any edit to it needs approval again`;
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

/** The file's data for the summary, or why it cannot be approved at all (invalid JSON, nested too deep). */
function parseForSummary(file: ConfigFile): { data: unknown } | { problem: string } {
  try {
    return { data: parseJsonText(file.text, file.location.path) };
  } catch (error) {
    if (error instanceof CliError) return { problem: error.message };
    throw error;
  }
}

/** What an approval of this file is pinned to. */
export function approvalSubject(file: ConfigFile): ApprovalSubject {
  return { path: file.location.path, realPath: file.realPath, text: file.text };
}

/** The file for messages: where it was found, and where it really is when that is a link elsewhere. `~` is the account's home, whatever HOME says. */
function fileLabel(ctx: Ctx, file: ConfigFile): string {
  const shown = tildePath(file.location.path, ctx.home);
  return printable(file.realPath === file.location.path ? shown : `${shown} (a link to ${tildePath(file.realPath, ctx.home)})`);
}

/** Why the file is not the user's own: a config directory a variable moved says which, and from where. */
function notOwn(ctx: Ctx, file: ConfigFile): string {
  if (!file.relocated) return 'is not your own config file';
  return `is in the config directory that ${file.relocated.by} moved away from your own (${tildePath(ownConfigDir(ctx.home), ctx.home)})`;
}

async function decide(ctx: Ctx, file: ConfigFile): Promise<boolean> {
  if (file.own || (file.relocated && directoryApproval(ctx, file.relocated.dir))) return true;
  const { approval, changed } = approvalStore(ctx).lookup(approvalSubject(file));
  if (approval) {
    ctx.stderr.write(`Using config ${fileLabel(ctx, file)} (approved ${approval.approvedAt.slice(0, 10)})\n`);
    return true;
  }
  if (!canPrompt(ctx)) return false;
  const parsed = parseForSummary(file);
  ctx.stderr.write(`${fileLabel(ctx, file)} ${notOwn(ctx, file)} and has not been approved${changed ? ' since it changed' : ''}.\n`);
  if ('problem' in parsed) {
    ctx.stderr.write(`It cannot be approved: ${printable(parsed.problem)}\n`);
    return false;
  }
  ctx.stderr.write(describeConfigFile(file, parsed.data));
  if (!(await ctx.prompter.confirm('Trust this file and let mcp-cli act on it?'))) return false;
  ctx.stderr.write(`${await approveConfigFile(ctx, file)}.\n`);
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
    file.relocated
      ? `${what}: it ${notOwn(ctx, file)}, and mcp-cli acts on another config directory only once you approve it`
      : `${what}: mcp-cli acts on a config file outside your config directory only once you approve it`,
    1,
    `review it, then run: ${trustCommand(file)}`,
  );
}

/** For commands that only read settings from the file: an unapproved file is passed over, and that is said. */
export function warnNotUsed(ctx: Ctx, file: ConfigFile, what: string): void {
  warn(ctx, `${fileLabel(ctx, file)} is not approved, so its ${what} ${what.endsWith('s') ? 'are' : 'is'} not used (approve it: ${trustCommand(file)})`);
}
