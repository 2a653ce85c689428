import { userInfo } from 'node:os';
import { join } from 'node:path';
import { storeAnchor } from '../audit/anchor.js';
import { FileAuditLog } from '../audit/file-log.js';
import type { Ctx } from '../context.js';
import { stateDir } from '../paths.js';
import type { SecretStore } from '../stores/store.js';

/** `MCP_CLI_AUDIT_LOG`, else `$XDG_STATE_HOME/mcp-cli/audit.log`. */
export function auditLogPath(ctx: Ctx): string {
  return ctx.env.MCP_CLI_AUDIT_LOG || join(stateDir(ctx.env), 'audit.log');
}

function currentUser(ctx: Ctx): string {
  try {
    return userInfo().username;
  } catch {
    return ctx.env.USER ?? ctx.env.LOGNAME ?? 'unknown';
  }
}

/**
 * The audit log; with the token store, anchored in it (the MAC key and the last checkpoint
 * live there, see docs/lifecycle.md). Reading the log needs no store; writing and verifying do.
 */
export function openAuditLog(ctx: Ctx, store?: SecretStore): FileAuditLog {
  const path = auditLogPath(ctx);
  return new FileAuditLog(path, { now: ctx.now, user: currentUser(ctx), ...(store ? { anchor: storeAnchor(store, path, ctx.now) } : {}) });
}
