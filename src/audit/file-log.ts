import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, fstatSync, openSync, readSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { fsFailure } from '../fs/errors.js';
import { withFileLock } from '../fs/lock.js';
import type { AuditEvent, AuditSink } from './sink.js';

/** One line of the log. `prev` is the SHA-256 of the previous line, so removing or editing a line breaks the chain. */
export interface AuditRecord extends AuditEvent {
  time: string;
  pid: number;
  user: string;
  prev: string;
}

export interface AuditLogOptions {
  now?: () => Date;
  user?: string;
  pid?: number;
  /** Rotate when the current file would grow past this size. */
  maxBytes?: number;
  /** How many rotated files to keep (audit.log.1 is the newest). */
  keep?: number;
}

export const GENESIS = '0'.repeat(64);
const TAIL_BYTES = 64 * 1024;

export const hashLine = (line: string) => createHash('sha256').update(line, 'utf8').digest('hex');

export interface Verification {
  ok: boolean;
  entries: number;
  files: number;
  problem?: string;
}

/** An append-only JSON-lines audit log with a hash chain that survives rotation. */
export class FileAuditLog implements AuditSink {
  private readonly now: () => Date;
  private readonly maxBytes: number;
  private readonly keep: number;

  constructor(
    readonly path: string,
    private readonly options: AuditLogOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.keep = options.keep ?? 5;
  }

  // The append itself is synchronous: a few quick system calls under the lock, run on every
  // token read, cost less than as many trips through the thread pool.
  async record(event: AuditEvent): Promise<void> {
    try {
      await withFileLock(`${this.path}.lock`, async () => {
        const prev = this.lastLineHash();
        const record: AuditRecord = { time: this.now().toISOString(), ...event, pid: this.options.pid ?? process.pid, user: this.options.user ?? 'unknown', prev };
        const line = JSON.stringify(record);
        const size = statSync(this.path, { throwIfNoEntry: false })?.size ?? 0;
        if (size > 0 && size + line.length + 1 > this.maxBytes) this.rotate();
        appendFileSync(this.path, line + '\n', { mode: 0o600 });
      });
    } catch (error) {
      throw fsFailure(error, 'write the audit log', this.path);
    }
  }

  /** Every record, oldest first, across the rotated files. */
  async records(): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    for (const file of await this.files()) {
      for (const line of await readLines(file)) {
        try {
          records.push(JSON.parse(line) as AuditRecord);
        } catch {
          // An unreadable line is reported by verify(), not here.
        }
      }
    }
    return records;
  }

  /**
   * Checks the chain from the oldest file kept to the newest. The first line of the
   * oldest file may point at a line rotated out of existence; every other link must hold.
   */
  async verify(): Promise<Verification> {
    const files = await this.files();
    let previous: string | undefined;
    let entries = 0;
    for (const file of files) {
      const lines = await readLines(file);
      for (const [index, line] of lines.entries()) {
        let record: AuditRecord;
        try {
          record = JSON.parse(line) as AuditRecord;
        } catch {
          return { ok: false, entries, files: files.length, problem: `${file} line ${index + 1}: not valid JSON` };
        }
        if (previous !== undefined && record.prev !== previous)
          return { ok: false, entries, files: files.length, problem: `${file} line ${index + 1}: the chain is broken (a line before it was edited, removed or inserted)` };
        previous = hashLine(line);
        entries++;
      }
    }
    return { ok: true, entries, files: files.length };
  }

  private async files(): Promise<string[]> {
    const rotated: string[] = [];
    for (let i = this.keep; i >= 1; i--) {
      const candidate = `${this.path}.${i}`;
      if (await exists(candidate)) rotated.push(candidate);
    }
    return (await exists(this.path)) ? [...rotated, this.path] : rotated;
  }

  private lastLineHash(): string {
    for (const file of [this.path, `${this.path}.1`]) {
      const last = readLastLine(file);
      if (last !== undefined) return hashLine(last);
    }
    return GENESIS;
  }

  private rotate(): void {
    ignoreMissing(() => unlinkSync(`${this.path}.${this.keep}`));
    for (let i = this.keep - 1; i >= 1; i--) ignoreMissing(() => renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`));
    renameSync(this.path, `${this.path}.1`);
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

async function readLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.length > 0);
}

function ignoreMissing(run: () => void): void {
  try {
    run();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function readLastLine(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return undefined;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').filter((l) => l.length > 0);
    return lines[lines.length - 1];
  } finally {
    closeSync(fd);
  }
}
