// The audit log anchored in a secure store: entries cut from either end, an emptied, deleted,
// replaced or rolled-back log are detected; an intact one, rotated or written concurrently, verifies.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeAnchor } from '../../src/audit/anchor.js';
import { FileAuditLog, GENESIS } from '../../src/audit/file-log.js';
import { EncryptedFileStore } from '../../src/stores/encrypted/store.js';
import type { SecretStore } from '../../src/stores/store.js';
import { MemoryStore } from '../helpers/memory-store.js';

let dir: string;
let path: string;
let store: SecretStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-cli-anchor-'));
  path = join(dir, 'state', 'audit.log');
  store = new MemoryStore();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const event = (i: number) => ({ action: 'read' as const, namespace: 'bearer', name: `token-${i}`, backend: 'encrypted', detail: { purpose: 'revealed' } });
const open = (options: { maxBytes?: number; keep?: number } = {}) => new FileAuditLog(path, { ...options, anchor: storeAnchor(store, path, () => new Date()) });

async function written(count: number, options: { maxBytes?: number; keep?: number } = {}): Promise<string[]> {
  const log = open(options);
  for (let i = 0; i < count; i++) await log.record(event(i));
  return (await readFile(path, 'utf8')).trim().split('\n');
}

const problem = async () => {
  const result = await open().verify();
  expect(result.ok).toBe(false);
  return result.problem;
};

describe('an anchored audit log', () => {
  it('numbers and authenticates every line, and verifies when intact', async () => {
    const lines = await written(5);
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5]);
    expect(lines.every((l) => /,"mac":"[0-9a-f]{64}"\}$/.test(l))).toBe(true);
    expect(await open().verify()).toEqual({ ok: true, entries: 5, files: 1, anchored: true });
  });

  it('keeps the anchor in the store, out of every listing a user sees', async () => {
    await written(1);
    expect((await store.list()).map((m) => m.namespace)).toEqual(['.mcp-cli']);
    expect(await readFile(path, 'utf8')).not.toContain((await store.list())[0]!.name);
  });

  it('verifies across rotations, the oldest files dropped included', async () => {
    await written(60, { maxBytes: 900, keep: 2 });
    expect(await open({ maxBytes: 900, keep: 2 }).verify()).toMatchObject({ ok: true, files: 3, anchored: true });
  });

  it('verifies with the anchor in a real encrypted token file', async () => {
    store = new EncryptedFileStore(join(dir, 'tokens.enc'), { get: async () => 'anchor test' });
    await written(12, { maxBytes: 1500, keep: 2 });
    expect(await open({ maxBytes: 1500, keep: 2 }).verify()).toMatchObject({ ok: true, anchored: true });
    expect(await store.list()).toHaveLength(1);
  });

  it('keeps concurrent writers on one chain and one key', async () => {
    const logs = Array.from({ length: 8 }, () => open());
    await Promise.all(logs.map((log, i) => Promise.all([log.record(event(i)), log.record(event(i + 100))])));
    expect(await open().verify()).toEqual({ ok: true, entries: 16, files: 1, anchored: true });
  });
});

describe('tampering with an anchored log', () => {
  it('entries cut from the end', async () => {
    const lines = await written(5);
    await writeFile(path, lines.slice(0, 2).join('\n') + '\n');
    expect(await problem()).toBe('entries 3 to 5 are missing from the end (of 5): the log ends at entry 2');
  });

  it('the first line deleted', async () => {
    const lines = await written(5);
    await writeFile(path, lines.slice(1).join('\n') + '\n');
    expect(await problem()).toBe('entry 1 is missing from the start: the log begins at entry 2');
  });

  it('the log emptied, or deleted', async () => {
    await written(5);
    await writeFile(path, '');
    expect(await problem()).toContain('is empty, but its head record names entries 1 to 5: all of them are missing');
    await rm(path);
    expect(await problem()).toContain('does not exist, but its head record names entries 1 to 5');
    await rm(`${path}.head`);
    expect(await problem()).toContain('and its head record are gone, though the encrypted backend (memory) holds the anchor');
  });

  it('the log replaced by a freshly built one-line chain, with or without a new head record', async () => {
    await written(5);
    const fresh = JSON.stringify({ time: new Date().toISOString(), ...event(0), pid: 1, user: 'someone', prev: GENESIS });
    await writeFile(path, fresh + '\n');
    expect(await problem()).toBe('the log does not begin with the entry its head record names: its start was removed or replaced');
    const numbered = JSON.stringify({ time: new Date().toISOString(), ...event(0), pid: 1, user: 'someone', prev: GENESIS, seq: 1, mac: 'f'.repeat(64) });
    await writeFile(path, numbered + '\n');
    expect(await problem()).toContain('line 1: the line does not authenticate');
    await writeFile(`${path}.head`, JSON.stringify({ v: 1, log: 'x', first: { seq: 1, hash: 'a' }, last: { seq: 1, hash: 'a' }, mac: 'b'.repeat(64) }));
    expect(await problem()).toContain('head record');
    expect(await problem()).toContain('does not authenticate');
  });

  it('a line appended by someone without the key', async () => {
    const lines = await written(3);
    const forged = JSON.stringify({ ...JSON.parse(lines[2]!), seq: 4, prev: 'x', mac: undefined });
    await writeFile(path, [...lines, forged].join('\n') + '\n');
    expect((await open().verify()).ok).toBe(false);
  });

  it('a cut that later entries would hide leaves an alert in the log', async () => {
    const lines = await written(5);
    await writeFile(path, lines.slice(0, 2).join('\n') + '\n');
    await open().record(event(99));
    const records = await open().records();
    expect(records.find((r) => r.action === 'alert')?.detail?.problem).toBe('the log ended at entry 2, but its head record said entry 5');
    expect(await problem()).toContain('entries 3 to 5 are missing');
    // Even with the gap closed by hand, the alert itself stays in the chain.
    expect(records.map((r) => r.seq)).toEqual([1, 2, 6, 7]);
  });

  it('a log and head record put back to a copy older than the last verification', async () => {
    await written(3);
    await copyFile(path, join(dir, 'old.log'));
    await copyFile(`${path}.head`, join(dir, 'old.head'));
    await written(2);
    expect((await open().verify()).ok).toBe(true);
    await copyFile(join(dir, 'old.log'), path);
    await copyFile(join(dir, 'old.head'), `${path}.head`);
    expect(await problem()).toMatch(/^entry 5, found intact by the verification at .*, is gone: the log and its head record were put back to an earlier copy$/);
  });
});
