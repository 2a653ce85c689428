import { unlink } from 'node:fs/promises';
import type { Env } from '../paths.js';
import type { TokenManager } from '../tokens/manager.js';
import { primaryValue, PRIMARY_SECRET_FIELD } from '../tokens/model.js';
import { CLIENTS } from './catalog.js';
import { readClientFile, replaceClientFile, sha256 } from './files.js';
import { recordFilesProblem } from './record-check.js';
import { editText, parseClientText, type DataEdit } from './formats.js';
import { stillWritten, type ImportPlan } from './plan.js';
import { applyUndo, damaged, mergeRecords, parseRecord, recordName, serializeRecord, type FileRecord, type RestoreRecord, type TokenRecord } from './record.js';

/** What undoing did, file by file and token by token, in sentences for the user (names and paths only). */
export interface UndoReport {
  restored: string[];
  kept: string[];
}

const recordDetails = (record: RestoreRecord) => ({ purpose: 'clients restore', client: record.client, imports: String(record.imports.length) });

/**
 * Carries out an import plan. The restore record goes into the store first, so that whatever
 * happens next can be undone; then the tokens, server_config.json, and the client's files, each
 * replaced only if nobody changed it since the plan was made. A failure on the way undoes what was
 * done and puts the previous record back.
 */
export async function applyImport(manager: TokenManager, plan: ImportPlan, now: Date): Promise<void> {
  const name = recordName(plan.client.id);
  const stored = await manager.readRecord(name, 'clients');
  const earlier = stored ? parseRecord(stored.secret.record, plan.client.id) : undefined;
  const tokens: TokenRecord[] = [];
  for (const item of plan.items) {
    for (const token of item.tokens) {
      const key = { namespace: token.namespace, name: token.name };
      const previous = plan.replaces.tokens.includes(`${key.namespace}:${key.name}`) ? await manager.read(key, 'clients') : undefined;
      tokens.push({ ...key, sha256: sha256(token.finding.value), ...(previous ? { previous } : {}) });
    }
  }
  const delta: RestoreRecord = {
    version: 1,
    client: plan.client.id,
    imports: [now.toISOString()],
    files: [plan.config.record, ...plan.changes.map((c) => c.record)],
    tokens,
  };
  const merged = mergeRecords(earlier, delta);
  await manager.writeRecord(name, { record: serializeRecord(merged) }, recordDetails(merged));
  try {
    for (const item of plan.items) {
      for (const token of item.tokens) {
        await manager.set({
          name: token.name,
          namespace: token.namespace,
          type: token.type,
          secret: { [PRIMARY_SECRET_FIELD[token.type]]: token.finding.value },
          ...(token.provider ? { provider: token.provider } : {}),
          details: { importedFrom: `${plan.client.id} ${item.file.path}`, server: item.serverName },
        });
      }
    }
    await replaceClientFile(plan.config.path, plan.config.after, plan.config.before?.text, 0o600);
    for (const change of plan.changes) await replaceClientFile(change.path, change.after, change.before?.text);
  } catch (error) {
    await undoRecord(manager, delta).catch(() => undefined);
    if (earlier) await manager.writeRecord(name, { record: serializeRecord(earlier) }, recordDetails(earlier));
    else await manager.removeRecord(name);
    throw error;
  }
}

/** Puts one file back: byte for byte when it is as the import left it, else entry by entry. */
async function undoFile(file: FileRecord, report: UndoReport): Promise<void> {
  const current = readClientFile(file.path);
  if (!current) {
    if (file.beforeSha !== null) report.kept.push(`${file.path} no longer exists; it was not restored`);
    return;
  }
  const now = sha256(current.text);
  if (now === file.beforeSha) return;
  if (now === file.afterSha && file.undo) {
    if (file.beforeSha === null) {
      await unlink(file.path);
      report.restored.push(`Removed ${file.path} (the import created it)`);
      return;
    }
    const before = applyUndo(current.text, file.undo);
    if (sha256(before) === file.beforeSha) {
      await replaceClientFile(file.path, before, current.text);
      report.restored.push(`Restored ${file.path}`);
      return;
    }
  }
  // Changed since the import (Claude Code rewrites ~/.claude.json often): the entries the import wrote go back, the rest stays as it is now.
  const data = parseClientText(file.format, current.text, file.path);
  const edits: DataEdit[] = [];
  for (const entry of [...file.entries].reverse()) {
    if (stillWritten(data, entry)) edits.push({ path: entry.path, value: entry.original });
    else report.kept.push(`${file.path}: ${entry.path.join('.')} changed since the import; it was left as it is`);
  }
  if (edits.length === 0) return;
  await replaceClientFile(file.path, editText(file.format, current.text, edits, file.path), current.text);
  report.restored.push(
    `Restored ${file.path} (${edits.length} ${edits.length === 1 ? 'entry' : 'entries'}; the file changed since the import, and the rest of it stays as it is now)`,
  );
}

async function undoToken(manager: TokenManager, token: TokenRecord, report: UndoReport): Promise<void> {
  const key = { namespace: token.namespace, name: token.name };
  const current = await manager.read(key, 'clients');
  if (!current) return;
  if (sha256(primaryValue(current) ?? '') !== token.sha256) {
    report.kept.push(`token '${token.name}' (${token.namespace}) changed since the import; it was kept`);
    return;
  }
  if (token.previous) await manager.applyImport([{ token: token.previous, action: 'overwrite' }]);
  else await manager.remove(key, { reason: 'clients restore' });
  report.restored.push(
    token.previous ? `Put back token '${token.name}' (${token.namespace}) as it was before the import` : `Deleted token '${token.name}' (${token.namespace})`,
  );
}

/** Undoes what a record says, client files first (last written first), then tokens. */
export async function undoRecord(manager: TokenManager, record: RestoreRecord): Promise<UndoReport> {
  const report: UndoReport = { restored: [], kept: [] };
  for (const file of [...record.files].reverse()) await undoFile(file, report);
  for (const token of [...record.tokens].reverse()) await undoToken(manager, token, report);
  return report;
}

/** Whose files a restore may touch: the client's for this HOME and platform, and server_config.json. */
export interface RestoreWhere {
  env: Env;
  platform: NodeJS.Platform;
}

/** `clients restore`: undoes every import of the client since the last restore, then forgets the record. */
export async function restoreClient(manager: TokenManager, client: keyof typeof CLIENTS, where: RestoreWhere): Promise<UndoReport | undefined> {
  const name = recordName(client);
  const stored = await manager.readRecord(name, 'clients');
  if (!stored) return undefined;
  const record = parseRecord(stored.secret.record, client);
  const problem = recordFilesProblem(record, where.env, where.platform);
  if (problem !== undefined) throw damaged(client, problem);
  const report = await undoRecord(manager, record);
  await manager.removeRecord(name);
  return report;
}
