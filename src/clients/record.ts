import { CliError } from '../errors.js';
import type { StoredToken } from '../tokens/model.js';
import type { ClientId, FileFormat } from './catalog.js';
import type { JsonPath } from './formats.js';
import { recordShapeProblem } from './record-check.js';

/**
 * What `clients restore` needs to undo the imports of one client: for each file, how to turn the
 * text the import wrote back into the text it found (the removed parts hold the secrets, so this
 * lives in the token store, never in a file), and the entries it rewrote; the tokens it stored.
 */

/** At `offset`, replace `length` characters with `text`. */
export interface TextEdit {
  offset: number;
  length: number;
  text: string;
}

export interface EntryRecord {
  path: JsonPath;
  /** The entry before the import; undefined: there was none (a server added to server_config.json). */
  original?: unknown;
  written: unknown;
}

export interface FileRecord {
  path: string;
  /** For a project file: its project directory (restore touches only the client's files there). */
  project?: string;
  format: FileFormat;
  /** sha256 of the text before the first import (null: no file), and after the last one. */
  beforeSha: string | null;
  afterSha: string;
  /** One list per import, each in the order applied: undone last to first. Null once the file changed between two imports. */
  undo: TextEdit[][] | null;
  entries: EntryRecord[];
}

export interface TokenRecord {
  namespace: string;
  name: string;
  /** sha256 of the value stored: a token rotated since is left alone. */
  sha256: string;
  /** The token an `--overwrite` replaced. */
  previous?: StoredToken;
}

export interface RestoreRecord {
  version: 1;
  client: ClientId;
  imports: string[];
  files: FileRecord[];
  tokens: TokenRecord[];
}

export const recordName = (client: ClientId) => `clients-${client}`;

/**
 * Windows Credential Manager holds a record in parts of 2,560 bytes, so a record is kept small: it
 * holds the parts of each file an import changed, not the whole file.
 */
export const MAX_RECORD_CHARS = 1024 * 1024;

/** The edit that turns `after` back into `before`, when one text was made from the other by one change. */
export function undoEdit(before: string, after: string): TextEdit {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return { offset: head, length: after.length - head - tail, text: before.slice(head, before.length - tail) };
}

export function applyUndo(text: string, undo: TextEdit[][]): string {
  let out = text;
  for (const list of [...undo].reverse())
    for (const edit of [...list].reverse()) out = out.slice(0, edit.offset) + edit.text + out.slice(edit.offset + edit.length);
  return out;
}

/** A later import's record folded into an earlier one's: restore goes back to before the first. */
export function mergeRecords(earlier: RestoreRecord | undefined, later: RestoreRecord): RestoreRecord {
  if (!earlier) return later;
  const files = earlier.files.map((file) => ({ ...file }));
  for (const next of later.files) {
    const known = files.find((f) => f.path === next.path);
    if (!known) {
      files.push(next);
      continue;
    }
    known.undo = known.undo && next.undo && known.afterSha === next.beforeSha ? [...known.undo, ...next.undo] : null;
    known.afterSha = next.afterSha;
    known.entries = [...known.entries, ...next.entries];
  }
  return { ...earlier, imports: [...earlier.imports, ...later.imports], files, tokens: [...earlier.tokens, ...later.tokens] };
}

export function serializeRecord(record: RestoreRecord): string {
  const text = JSON.stringify(record);
  if (text.length > MAX_RECORD_CHARS)
    throw new CliError(
      `what clients restore would need to undo this import is larger than ${MAX_RECORD_CHARS / 1024 / 1024} MiB; nothing was imported`,
      1,
      'import fewer servers at a time with --servers',
    );
  return text;
}

export function parseRecord(text: string | undefined, client: ClientId): RestoreRecord {
  let data: unknown;
  try {
    data = JSON.parse(text ?? '');
  } catch {
    data = undefined;
  }
  const problem = data === undefined ? 'it is not JSON' : recordShapeProblem(data, client);
  if (problem !== undefined) throw damaged(client, problem);
  return data as RestoreRecord;
}

export function damaged(client: ClientId, problem: string): CliError {
  return new CliError(
    `the record of the last ${client} import in the token store is damaged, of a newer mcp-cli, or not made by mcp-cli (${problem}); nothing was restored`,
  );
}
