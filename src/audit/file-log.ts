import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { fsFailure } from '../fs/errors.js';
import { withFileLock } from '../fs/lock.js';
import type { AuditAnchor } from './anchor.js';
import type { AuditEvent, AuditSink } from './sink.js';

/**
 * One line of the log. `prev` is the SHA-256 of the previous line, so removing or editing a line
 * breaks the chain. In an anchored log each line also has a number (`seq`) and a MAC (`mac`,
 * always last) under the key the secure backend keeps.
 */
export interface AuditRecord extends AuditEvent {
  time: string;
  pid: number;
  user: string;
  prev: string;
  seq?: number;
  mac?: string;
}

export interface AuditLogOptions {
  now?: () => Date;
  user?: string;
  pid?: number;
  /** Rotate when the current file would grow past this size. */
  maxBytes?: number;
  /** How many rotated files to keep (audit.log.1 is the newest). */
  keep?: number;
  /** The key and checkpoint in the secure backend; without one the log is a plain hash chain. */
  anchor?: AuditAnchor;
}

export const GENESIS = '0'.repeat(64);
const TAIL_BYTES = 64 * 1024;

export const hashLine = (line: string) => createHash('sha256').update(line, 'utf8').digest('hex');

export interface Verification {
  ok: boolean;
  entries: number;
  files: number;
  problem?: string;
  hint?: string;
  /** Whether the log was checked against an anchor in the secure backend. */
  anchored?: boolean;
}

/**
 * Beside the log, `audit.log.head` names its first and last entries (number and hash) under the
 * MAC key: entries cut from either end, an emptied, deleted or replaced log, are told apart from
 * an intact one by comparing the two.
 */
interface Head {
  v: 1;
  log: string;
  first: { seq: number | null; hash: string };
  last: { seq: number; hash: string };
  mac: string;
}

const mac = (key: Buffer, domain: string, text: string) => createHmac('sha256', key).update(`mcp-cli-audit-${domain}|v1|`).update(text, 'utf8').digest('hex');

const macMatches = (expected: string, actual: string) => expected.length === actual.length && timingSafeEqual(Buffer.from(expected), Buffer.from(actual));

function headMac(key: Buffer, head: Omit<Head, 'mac'>): string {
  return mac(key, 'head', `${head.log}|${head.first.seq ?? ''}|${head.first.hash}|${head.last.seq}|${head.last.hash}`);
}

/** A line's MAC covers the line as written before its `mac` field was added. */
function sealed(key: Buffer, record: AuditRecord): string {
  const body = JSON.stringify(record);
  return `${body.slice(0, -1)},"mac":"${mac(key, 'line', body)}"}`;
}

function authentic(key: Buffer, line: string): boolean {
  const match = /,"mac":"([0-9a-f]{64})"\}$/.exec(line);
  return match !== null && macMatches(mac(key, 'line', `${line.slice(0, match.index)}}`), match[1]!);
}

const entriesText = (from: number, to: number) => (from === to ? `entry ${from} is` : `entries ${from} to ${to} are`);

interface Line {
  text: string;
  record: AuditRecord;
  where: string;
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

  private get headPath(): string {
    return `${this.path}.head`;
  }

  // The append itself is synchronous: a few quick system calls under the lock, run on every
  // token read, cost less than as many trips through the thread pool.
  async record(event: AuditEvent): Promise<void> {
    const anchor = this.options.anchor;
    try {
      const known = anchor ? await anchor.key() : undefined;
      await withFileLock(`${this.path}.lock`, async () => {
        const base = { time: this.now().toISOString(), pid: this.options.pid ?? process.pid, user: this.options.user ?? 'unknown' };
        if (!anchor) {
          const line = JSON.stringify({ time: base.time, ...event, pid: base.pid, user: base.user, prev: this.lastLineHash() } satisfies AuditRecord);
          this.append([line]);
          return;
        }
        const key = known ?? (await anchor.createKey());
        this.appendAnchored(event, base, key, anchor, known === undefined);
      });
    } catch (error) {
      throw fsFailure(error, 'write the audit log', this.path);
    }
  }

  /**
   * Appends under the anchor's key. The end of the log must be what the head record names (or
   * lines after it that carry a valid MAC: a writer that died before updating the head); when it
   * is not, an `alert` entry recording what was found goes in first, so that a truncation is not
   * hidden by the entries that follow it.
   */
  private appendAnchored(event: AuditEvent, base: { time: string; pid: number; user: string }, key: Buffer, anchor: AuditAnchor, anchoredNow: boolean): void {
    const tailText = this.lastLine();
    let tail: AuditRecord | undefined;
    try {
      tail = tailText === undefined ? undefined : (JSON.parse(tailText) as AuditRecord);
    } catch {
      tail = undefined;
    }
    const head = this.readHead(key, anchor);
    let problem: string | undefined;
    if (!anchoredNow) {
      if (head === 'missing')
        problem =
          tailText === undefined ? `the audit log and its head record were missing, though ${anchor.label} holds its anchor` : 'the head record was missing';
      else if (head === 'forged') problem = 'the head record did not authenticate (edited or replaced)';
      else if (tailText === undefined) problem = `the log was empty or missing, but its head record said it ended at entry ${head.last.seq}`;
      else if (
        !(tail?.seq === head.last.seq && hashLine(tailText) === head.last.hash) &&
        !(tail?.seq !== undefined && tail.seq > head.last.seq && authentic(key, tailText))
      )
        problem = `the log ended at ${tail?.seq !== undefined ? `entry ${tail.seq}` : 'a line without a number'}, but its head record said entry ${head.last.seq}`;
    }
    const trusted = typeof head === 'object' && problem === undefined ? head : undefined;
    let seq = Math.max(tail?.seq ?? 0, typeof head === 'object' ? head.last.seq : 0) + 1;
    let prev = tailText === undefined ? GENESIS : hashLine(tailText);
    const lines: string[] = [];
    for (const e of problem ? [{ action: 'alert' as const, detail: { problem } }, event] : [event]) {
      const line = sealed(key, { time: base.time, ...e, pid: base.pid, user: base.user, prev, seq: seq++ });
      lines.push(line);
      prev = hashLine(line);
    }
    const rotatedOut = this.append(lines);
    const firstLine = trusted && !rotatedOut ? undefined : this.firstLine();
    const first =
      trusted && !rotatedOut
        ? trusted.first
        : firstLine !== undefined
          ? { seq: seqOf(firstLine), hash: hashLine(firstLine) }
          : { seq: seq - lines.length, hash: hashLine(lines[0]!) };
    const last = { seq: seq - 1, hash: prev };
    const next: Omit<Head, 'mac'> = { v: 1, log: anchor.logId, first, last };
    const temp = `${this.headPath}.tmp-${process.pid}`;
    writeFileSync(temp, `${JSON.stringify({ ...next, mac: headMac(key, next) })}\n`, { mode: 0o600 });
    renameSync(temp, this.headPath);
  }

  /** Appends lines, rotating first when they would not fit; true when the oldest file was dropped. */
  private append(lines: string[]): boolean {
    const text = lines.map((l) => `${l}\n`).join('');
    const size = statSync(this.path, { throwIfNoEntry: false })?.size ?? 0;
    let dropped = false;
    if (size > 0 && size + Buffer.byteLength(text) > this.maxBytes) dropped = this.rotate();
    appendFileSync(this.path, text, { mode: 0o600 });
    return dropped;
  }

  private readHead(key: Buffer, anchor: AuditAnchor): Head | 'missing' | 'forged' {
    let text: string;
    try {
      text = readFileSync(this.headPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
    try {
      const head = JSON.parse(text) as Head;
      const { mac: given, ...rest } = head;
      if (head.v === 1 && head.log === anchor.logId && typeof given === 'string' && macMatches(headMac(key, rest), given)) return head;
    } catch {
      // reported as forged
    }
    return 'forged';
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
   * With an anchor it also checks each line's MAC and number, both ends against the head
   * record, and that the entry the last verification found is still there; a success
   * becomes the new checkpoint.
   */
  async verify(): Promise<Verification> {
    const files = await this.files();
    const lines: Line[] = [];
    let previous: string | undefined;
    const fail = (problem: string, hint?: string): Verification => ({
      ok: false,
      entries: lines.length,
      files: files.length,
      problem,
      ...(hint ? { hint } : {}),
    });
    for (const file of files) {
      for (const [index, text] of (await readLines(file)).entries()) {
        const where = `${file} line ${index + 1}`;
        let record: AuditRecord;
        try {
          record = JSON.parse(text) as AuditRecord;
        } catch {
          return fail(`${where}: not valid JSON`);
        }
        if (previous !== undefined && record.prev !== previous) return fail(`${where}: the chain is broken (a line before it was edited, removed or inserted)`);
        previous = hashLine(text);
        lines.push({ text, record, where });
      }
    }
    const anchor = this.options.anchor;
    if (!anchor) return { ok: true, entries: lines.length, files: files.length };
    const key = await anchor.key();
    const headExists = statSync(this.headPath, { throwIfNoEntry: false }) !== undefined;
    if (!key) {
      if (headExists)
        return fail(
          `the head record ${this.headPath} is anchored elsewhere: ${anchor.label} holds no anchor for this log`,
          'verify with the backend that was active when the log was written (--token-backend NAME)',
        );
      return { ok: true, entries: lines.length, files: files.length, anchored: false };
    }
    const head = this.readHead(key, anchor);
    if (head === 'forged') return fail(`the head record ${this.headPath} does not authenticate: it was edited or replaced`);
    if (head === 'missing') {
      if (lines.length === 0)
        return fail(`the audit log ${this.path} and its head record are gone, though ${anchor.label} holds the anchor of a log that had entries`);
      return fail(`the head record ${this.headPath} is missing`);
    }

    const bySeq = new Map<number, Line>();
    let expected: number | undefined;
    for (const line of lines) {
      const seq = line.record.seq;
      if (seq === undefined) {
        if (expected !== undefined) return fail(`${line.where}: a line without a number among numbered ones`);
        continue;
      }
      if (!authentic(key, line.text)) return fail(`${line.where}: the line does not authenticate (edited, or not written by mcp-cli)`);
      if (expected !== undefined && seq !== expected)
        return fail(seq > expected ? `${entriesText(expected, seq - 1)} missing before ${line.where}` : `${line.where}: entry ${seq} is out of order`);
      expected = seq + 1;
      bySeq.set(seq, line);
    }

    const firstLine = lines[0];
    if (!firstLine) {
      const exists = statSync(this.path, { throwIfNoEntry: false }) !== undefined;
      return fail(
        `the audit log ${this.path} ${exists ? 'is empty' : 'does not exist'}, but its head record names entries ${head.first.seq ?? 1} to ${head.last.seq}: all of them are missing`,
      );
    }
    if (hashLine(firstLine.text) !== head.first.hash) {
      const begins = firstLine.record.seq;
      if (begins !== undefined && head.first.seq !== null && begins > head.first.seq)
        return fail(`${entriesText(head.first.seq, begins - 1)} missing from the start: the log begins at entry ${begins}`);
      return fail(`the log does not begin with the entry its head record names: its start was removed or replaced`);
    }
    const lastSeq = expected === undefined ? 0 : expected - 1;
    const end = bySeq.get(head.last.seq);
    if (!end)
      return fail(
        `${entriesText(lastSeq + 1, head.last.seq)} missing from the end (of ${head.last.seq}): the log ends at ${lastSeq > 0 ? `entry ${lastSeq}` : 'a line without a number'}`,
      );
    if (hashLine(end.text) !== head.last.hash) return fail(`${end.where}: entry ${head.last.seq} is not the one its head record names`);

    const alert = lines.find((l) => l.record.action === 'alert');
    if (alert)
      return fail(
        `at ${alert.record.time} mcp-cli found the log tampered with: ${String(alert.record.detail?.problem ?? 'no details')}`,
        `the entries around ${alert.where} show what followed`,
      );

    const checkpoint = await anchor.checkpoint();
    const oldest = firstLine.record.seq ?? head.first.seq ?? 1;
    if (checkpoint && checkpoint.seq >= oldest) {
      const seen = bySeq.get(checkpoint.seq);
      if (!seen || hashLine(seen.text) !== checkpoint.hash)
        return fail(
          `entry ${checkpoint.seq}, found intact by the verification at ${checkpoint.time}, is gone: the log and its head record were put back to an earlier copy`,
        );
    }
    const newest = bySeq.get(lastSeq);
    if (newest && (!checkpoint || checkpoint.seq !== lastSeq))
      await anchor.saveCheckpoint({ seq: lastSeq, hash: hashLine(newest.text), time: this.now().toISOString() });
    return { ok: true, entries: lines.length, files: files.length, anchored: true };
  }

  private async files(): Promise<string[]> {
    const rotated: string[] = [];
    for (let i = this.keep; i >= 1; i--) {
      const candidate = `${this.path}.${i}`;
      if (await exists(candidate)) rotated.push(candidate);
    }
    return (await exists(this.path)) ? [...rotated, this.path] : rotated;
  }

  private lastLine(): string | undefined {
    for (const file of [this.path, `${this.path}.1`]) {
      const last = readLastLine(file);
      if (last !== undefined) return last;
    }
    return undefined;
  }

  private lastLineHash(): string {
    const last = this.lastLine();
    return last === undefined ? GENESIS : hashLine(last);
  }

  /** The first line of the oldest file kept. */
  private firstLine(): string | undefined {
    for (let i = this.keep; i >= 0; i--) {
      const file = i === 0 ? this.path : `${this.path}.${i}`;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      const first = text.split('\n').find((l) => l.length > 0);
      if (first !== undefined) return first;
    }
    return undefined;
  }

  /** True when the oldest file was dropped to make room. */
  private rotate(): boolean {
    const oldest = `${this.path}.${this.keep}`;
    const dropped = statSync(oldest, { throwIfNoEntry: false }) !== undefined;
    ignoreMissing(() => unlinkSync(oldest));
    for (let i = this.keep - 1; i >= 1; i--) ignoreMissing(() => renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`));
    renameSync(this.path, `${this.path}.1`);
    return dropped;
  }
}

function seqOf(line: string): number | null {
  try {
    const seq = (JSON.parse(line) as AuditRecord).seq;
    return typeof seq === 'number' ? seq : null;
  } catch {
    return null;
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
    const lines = buffer
      .toString('utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    return lines[lines.length - 1];
  } finally {
    closeSync(fd);
  }
}
