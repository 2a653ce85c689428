import { isAbsolute, resolve } from 'node:path';
import { configDirFile } from '../config/file.js';
import { printable } from '../io/terminal-text.js';
import type { Env } from '../paths.js';
import { TOKEN_TYPES } from '../tokens/model.js';
import { CLIENTS, type ClientId } from './catalog.js';
import type { RestoreRecord } from './record.js';

/**
 * A restore record comes from the token store, which may be shared (Vault) and so may hold one
 * someone else planted: every field is checked before restore acts on any of it, and it may touch
 * only the client's own files and the user's server_config.json.
 */

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isSha = (value: unknown) => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
const isStringMap = (value: unknown) => isObject(value) && Object.values(value).every((v) => typeof v === 'string');

function keysProblem(value: Record<string, unknown>, where: string, required: string[], optional: string[] = []): string | undefined {
  const missing = required.find((k) => !Object.hasOwn(value, k));
  if (missing !== undefined) return `${where}.${missing} is missing`;
  const unknown = Object.keys(value).find((k) => !required.includes(k) && !optional.includes(k));
  return unknown !== undefined ? `${where} has an unknown field '${printable(unknown.slice(0, 40))}'` : undefined;
}

function tokenProblem(value: unknown, where: string): string | undefined {
  if (!isObject(value)) return `${where} is not an object`;
  const keys = keysProblem(value, where, ['namespace', 'name', 'sha256'], ['previous']);
  if (keys) return keys;
  if (typeof value.namespace !== 'string' || typeof value.name !== 'string') return `${where}: namespace and name must be strings`;
  if (!isSha(value.sha256)) return `${where}.sha256 is not a SHA-256 hash`;
  if (value.previous === undefined) return undefined;
  const previous = value.previous;
  if (!isObject(previous) || !isObject(previous.metadata) || !isStringMap(previous.secret)) return `${where}.previous is not a stored token`;
  const meta = previous.metadata;
  if (meta.namespace !== value.namespace || meta.name !== value.name) return `${where}.previous is another token than ${where}`;
  if (
    !(TOKEN_TYPES as readonly unknown[]).includes(meta.type) ||
    typeof meta.createdAt !== 'string' ||
    typeof meta.updatedAt !== 'string' ||
    !isStringMap(meta.details)
  )
    return `${where}.previous is not a stored token`;
  return undefined;
}

function fileProblem(value: unknown, where: string): string | undefined {
  if (!isObject(value)) return `${where} is not an object`;
  const keys = keysProblem(value, where, ['path', 'format', 'beforeSha', 'afterSha', 'undo', 'entries'], ['project']);
  if (keys) return keys;
  if (typeof value.path !== 'string' || !isAbsolute(value.path)) return `${where}.path is not an absolute path`;
  if (value.project !== undefined && (typeof value.project !== 'string' || !isAbsolute(value.project))) return `${where}.project is not an absolute path`;
  if (value.format !== 'json' && value.format !== 'yaml') return `${where}.format is neither json nor yaml`;
  if (value.beforeSha !== null && !isSha(value.beforeSha)) return `${where}.beforeSha is neither null nor a SHA-256 hash`;
  if (!isSha(value.afterSha)) return `${where}.afterSha is not a SHA-256 hash`;
  if (value.undo !== null) {
    const lists = value.undo;
    if (!Array.isArray(lists) || !lists.every(Array.isArray)) return `${where}.undo is neither null nor a list of lists of edits`;
    for (const [i, list] of (lists as unknown[][]).entries())
      for (const [j, edit] of list.entries()) {
        const at = `${where}.undo[${i}][${j}]`;
        if (!isObject(edit)) return `${at} is not an object`;
        const problem = keysProblem(edit, at, ['offset', 'length', 'text']);
        if (problem) return problem;
        if (!isCount(edit.offset) || !isCount(edit.length) || typeof edit.text !== 'string') return `${at}: offset and length must be counts, text a string`;
      }
  }
  if (!Array.isArray(value.entries)) return `${where}.entries is not a list`;
  for (const [i, entry] of value.entries.entries()) {
    const at = `${where}.entries[${i}]`;
    if (!isObject(entry)) return `${at} is not an object`;
    const problem = keysProblem(entry, at, ['path', 'written'], ['original']);
    if (problem) return problem;
    const path = entry.path;
    if (!Array.isArray(path) || path.length === 0 || !path.every((p) => typeof p === 'string' || isCount(p)))
      return `${at}.path is not a list of keys and indexes`;
  }
  return undefined;
}

/** What is wrong with the parsed data of a record, or undefined. */
export function recordShapeProblem(data: unknown, client: ClientId): string | undefined {
  if (!isObject(data)) return 'it is not an object';
  if (data.version !== 1) return 'its version is not 1';
  const keys = keysProblem(data, 'record', ['version', 'client', 'imports', 'files', 'tokens']);
  if (keys) return keys;
  if (data.client !== client) return `it is not a record of ${client}`;
  if (!Array.isArray(data.imports) || !data.imports.every((t) => typeof t === 'string')) return 'record.imports is not a list of times';
  if (!Array.isArray(data.files)) return 'record.files is not a list';
  if (!Array.isArray(data.tokens)) return 'record.tokens is not a list';
  for (const [i, file] of data.files.entries()) {
    const problem = fileProblem(file, `files[${i}]`);
    if (problem) return problem;
  }
  for (const [i, token] of data.tokens.entries()) {
    const problem = tokenProblem(token, `tokens[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * What is wrong with the files a well-formed record names, or undefined: each must be, once
 * resolved, the user's server_config.json (JSON), one of the client's user files here, or one of its
 * project files under the project directory the record names for it; and none may appear twice.
 */
export function recordFilesProblem(record: RestoreRecord, env: Env, platform: NodeJS.Platform): string | undefined {
  const client = CLIENTS[record.client];
  const own = resolve(configDirFile(env));
  const userFiles = client.userFiles(env, platform).map((p) => resolve(p));
  const seen = new Set<string>();
  for (const [i, file] of record.files.entries()) {
    const where = `files[${i}]`;
    const path = resolve(file.path);
    const shown = printable(file.path.slice(0, 300));
    if (seen.has(path)) return `${where}.path ${shown} appears twice`;
    seen.add(path);
    if (path === own && file.project === undefined) {
      if (file.format !== 'json') return `${where}.format is not json for server_config.json`;
      continue;
    }
    const known = file.project === undefined ? userFiles : client.projectFiles.map((p) => resolve(file.project!, p));
    if (!known.includes(path)) return `${where}.path ${shown} is neither server_config.json nor a file of ${client.name}`;
    if (file.format !== client.format) return `${where}.format is not ${client.format}, the format of ${client.name}'s files`;
  }
  return undefined;
}
