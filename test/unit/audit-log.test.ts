import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileAuditLog, GENESIS, hashLine } from '../../src/audit/file-log.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-cli-audit-'));
  path = join(dir, 'state', 'audit.log');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const event = (i: number) => ({ action: 'read' as const, namespace: 'bearer', name: `token-${i}`, backend: 'encrypted', detail: { purpose: 'revealed' } });

describe('FileAuditLog', () => {
  it('chains each line to the previous one, starting from the genesis hash', async () => {
    const log = new FileAuditLog(path, { user: 'alice', pid: 42, now: () => new Date('2026-01-01T00:00:00Z') });
    await log.record(event(1));
    await log.record(event(2));
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ time: '2026-01-01T00:00:00.000Z', ...event(1), pid: 42, user: 'alice', prev: GENESIS });
    expect(JSON.parse(lines[1]!).prev).toBe(hashLine(lines[0]!));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await log.verify()).toEqual({ ok: true, entries: 2, files: 1 });
  });

  it('detects an edited line', async () => {
    const log = new FileAuditLog(path);
    for (let i = 0; i < 5; i++) await log.record(event(i));
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('token-2', 'token-X'));
    const result = await log.verify();
    expect(result.ok).toBe(false);
    expect(result.problem).toContain('line 4: the chain is broken');
  });

  it('detects a removed line', async () => {
    const log = new FileAuditLog(path);
    for (let i = 0; i < 5; i++) await log.record(event(i));
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    lines.splice(1, 1);
    await writeFile(path, lines.join('\n') + '\n');
    expect((await log.verify()).problem).toContain('line 2: the chain is broken');
  });

  it('rotates by size without breaking the chain, keeping a bounded number of files', async () => {
    const log = new FileAuditLog(path, { maxBytes: 600, keep: 3 });
    for (let i = 0; i < 40; i++) await log.record(event(i));
    expect((await stat(`${path}.1`)).size).toBeLessThanOrEqual(600);
    await expect(stat(`${path}.4`)).rejects.toThrow();
    const result = await log.verify();
    expect(result).toMatchObject({ ok: true, files: 4 });
    const names = (await log.records()).map((r) => r.name);
    expect(names[names.length - 1]).toBe('token-39');
    expect(names).toEqual([...names].sort((a, b) => Number(a!.split('-')[1]) - Number(b!.split('-')[1])));
    // The newest file's first line points at the last line of the rotated file.
    const rotatedLines = (await readFile(`${path}.1`, 'utf8')).trim().split('\n');
    const firstCurrent = JSON.parse((await readFile(path, 'utf8')).split('\n')[0]!);
    expect(firstCurrent.prev).toBe(hashLine(rotatedLines[rotatedLines.length - 1]!));
  });

  it('detects a removed rotated file in the middle', async () => {
    const log = new FileAuditLog(path, { maxBytes: 600, keep: 3 });
    for (let i = 0; i < 40; i++) await log.record(event(i));
    await rm(`${path}.2`);
    expect((await log.verify()).ok).toBe(false);
  });

  it('keeps concurrent writers on one chain', async () => {
    const logs = Array.from({ length: 8 }, () => new FileAuditLog(path));
    await Promise.all(logs.map((log, i) => Promise.all([log.record(event(i)), log.record(event(i + 100))])));
    expect(await new FileAuditLog(path).verify()).toEqual({ ok: true, entries: 16, files: 1 });
  });
});
