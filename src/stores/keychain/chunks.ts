import { createHash } from 'node:crypto';

/**
 * Windows Credential Manager keeps at most 2560 bytes per credential, and keyring stores
 * passwords there as UTF-16: 1280 code units. Larger values are split on every platform,
 * so a keychain written on one platform reads the same everywhere and the code path is tested.
 */
export const MAX_ITEM_UTF16_UNITS = 1280;

/** What the main item holds when the value lives in parts: `<account>:<id>:<n>` for n = 1..count. */
export interface ChunkHead {
  id: string;
  count: number;
  sha256: string;
}

export interface ChunkPlan {
  /** The value of the main item. */
  head: string;
  /** [account, value] of each part; empty when the value fits in one item. */
  parts: [string, string][];
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

export function partAccount(account: string, id: string, n: number): string {
  return `${account}:${id}:${n}`;
}

/** Splits `value` into pieces of at most `limit` UTF-16 code units, never between the two halves of a surrogate pair. */
export function splitUtf16(value: string, limit: number): string[] {
  if (limit < 2) throw new Error('the chunk limit must allow a surrogate pair');
  const pieces: string[] = [];
  let start = 0;
  while (start < value.length) {
    let end = Math.min(start + limit, value.length);
    const last = value.charCodeAt(end - 1);
    if (end < value.length && last >= 0xd800 && last <= 0xdbff) end--;
    pieces.push(value.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Plans how to store `value` under `account`: one item, or a head item plus parts under a fresh `id`. */
export function planChunks(account: string, value: string, id: string, limit = MAX_ITEM_UTF16_UNITS): ChunkPlan {
  if (value.length <= limit && !isChunkHead(value)) return { head: value, parts: [] };
  const pieces = splitUtf16(value, limit);
  const head: ChunkHead = { id, count: pieces.length, sha256: digest(value) };
  return { head: JSON.stringify({ chunked: head }), parts: pieces.map((piece, i) => [partAccount(account, id, i + 1), piece]) };
}

/** The head when `itemValue` is one; undefined for a value stored whole. */
export function parseChunkHead(itemValue: string): ChunkHead | undefined {
  if (!itemValue.startsWith('{"chunked":')) return undefined;
  try {
    const { chunked } = JSON.parse(itemValue) as { chunked?: ChunkHead };
    if (chunked && typeof chunked.id === 'string' && Number.isInteger(chunked.count) && chunked.count > 0 && typeof chunked.sha256 === 'string') return chunked;
  } catch {
    // a stored value that only looks like a head
  }
  return undefined;
}

function isChunkHead(value: string): boolean {
  return parseChunkHead(value) !== undefined;
}

/** Joins the parts of a head; undefined when a part is missing or the whole does not match its digest (a torn write). */
export function joinChunks(head: ChunkHead, parts: (string | undefined)[]): string | undefined {
  if (parts.length !== head.count || parts.some((p) => p === undefined)) return undefined;
  const value = parts.join('');
  return digest(value) === head.sha256 ? value : undefined;
}
