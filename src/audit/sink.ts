export const AUDIT_ACTIONS = [
  'created',
  'updated',
  'read',
  'rotated',
  'deleted',
  'cleared',
  'exported',
  'imported',
  'migrated',
  'alert',
  'validated',
  'refreshed',
  'login',
  'logout',
  'log-moved',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What happened to which token. Never a value: only names and non-secret facts. */
export interface AuditEvent {
  action: AuditAction;
  namespace?: string;
  name?: string;
  backend?: string;
  detail?: Record<string, string | number | boolean>;
}

export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
}
