import { userInfo } from 'node:os';
import { join } from 'node:path';
import { FileAuditLog } from '../../audit/file-log.js';
import type { Ctx } from '../../context.js';
import { stateDir } from '../../paths.js';

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

export function openAuditLog(ctx: Ctx): FileAuditLog {
  return new FileAuditLog(auditLogPath(ctx), { now: ctx.now, user: currentUser(ctx) });
}
