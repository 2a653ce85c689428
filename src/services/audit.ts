import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { storeAnchor } from '../audit/anchor.js';
import { FileAuditLog } from '../audit/file-log.js';
import type { AuditSink } from '../audit/sink.js';
import type { Ctx } from '../context.js';
import { ownStateDir, samePath, stateDir, stateDirSource, tildePath } from '../paths.js';
import type { SecretStore } from '../stores/store.js';
import { warn } from '../io/notices.js';

/** Where the audit log is, and, when that is not its default place under the account's home, the variable that moved it. */
export interface AuditLogPlace {
  path: string;
  /** `~/.local/state/mcp-cli/audit.log` of the account's home, which no variable changes. */
  defaultPath: string;
  movedBy?: 'MCP_CLI_AUDIT_LOG' | 'XDG_STATE_HOME' | 'HOME';
}

/** `MCP_CLI_AUDIT_LOG`, else `$XDG_STATE_HOME/mcp-cli/audit.log`, else `~/.local/state/mcp-cli/audit.log`. */
export function auditLogPlace(ctx: Ctx): AuditLogPlace {
  const defaultPath = join(ownStateDir(ctx.home), 'audit.log');
  const path = resolve(ctx.cwd, ctx.env.MCP_CLI_AUDIT_LOG || join(stateDir(ctx.env), 'audit.log'));
  if (samePath(path, defaultPath)) return { path, defaultPath };
  return { path, defaultPath, movedBy: ctx.env.MCP_CLI_AUDIT_LOG ? 'MCP_CLI_AUDIT_LOG' : stateDirSource(ctx.env) };
}

/** The place in words: the path, and what moved it there from where. */
export function auditLogText(ctx: Ctx, place: AuditLogPlace): string {
  const shown = tildePath(place.path, ctx.home);
  return place.movedBy ? `${shown}, moved there by ${place.movedBy} from ${tildePath(place.defaultPath, ctx.home)}` : shown;
}

function currentUser(ctx: Ctx): string {
  try {
    return userInfo().username;
  } catch {
    return ctx.env.USER ?? ctx.env.LOGNAME ?? 'unknown';
  }
}

function logAt(ctx: Ctx, path: string, store?: SecretStore): FileAuditLog {
  return new FileAuditLog(path, { now: ctx.now, user: currentUser(ctx), ...(store ? { anchor: storeAnchor(store, path, ctx.now) } : {}) });
}

/**
 * The audit log; with the token store, anchored in it (the MAC key and the last checkpoint
 * live there, see docs/lifecycle.md). Reading the log needs no store; writing and verifying do.
 */
export function openAuditLog(ctx: Ctx, store?: SecretStore): FileAuditLog {
  return logAt(ctx, auditLogPlace(ctx).path, store);
}

/**
 * Where every token access is recorded. A variable that moved the log (an MCP client's entry can
 * set one for `mcp-cli run`) cannot make the entries vanish: before the first entry of the
 * process, the default log gets a `log-moved` entry naming where they went, and by which variable.
 * A default log that cannot be written (a read-only home) is said on stderr, not fatal: no variable
 * can make it so.
 */
export function auditSink(ctx: Ctx, store: SecretStore): AuditSink {
  const place = auditLogPlace(ctx);
  const log = logAt(ctx, place.path, store);
  if (!place.movedBy) return log;
  const movedBy = place.movedBy;
  const note = async () => {
    try {
      await logAt(ctx, place.defaultPath, store).record({ action: 'log-moved', detail: { log: place.path, movedBy } });
    } catch (error) {
      warn(ctx, `the audit entries go to ${auditLogText(ctx, place)}, and the default log could not say so: ${(error as Error).message}`);
    }
  };
  let noted: Promise<void> | undefined;
  return {
    async record(event) {
      await (noted ??= note());
      await log.record(event);
    },
  };
}
