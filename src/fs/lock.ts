import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { StoreError } from '../stores/errors.js';
import { ensureDir } from './atomic-write.js';
import { fsFailure } from './errors.js';
import { dirname } from 'node:path';

export interface LockOptions {
  /** How long to wait for another process to release the lock. */
  timeoutMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Synchronous file calls throughout: taking a lock is a handful of quick system calls, each of
// which would cost more as a trip through the thread pool; only the wait between tries is async.
function readOwner(lockPath: string): { raw: string; owner?: LockOwner } | undefined {
  try {
    const raw = readFileSync(lockPath, 'utf8');
    try {
      return { raw, owner: JSON.parse(raw) as LockOwner };
    } catch {
      return { raw };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

// A writer killed between creating the lock file and filling it leaves it empty.
const UNOWNED_LOCK_GRACE_MS = 2000;

function isStale(lockPath: string, owner: LockOwner | undefined, host: string): boolean {
  if (owner) return owner.host === host && !isAlive(owner.pid);
  const info = statSync(lockPath, { throwIfNoEntry: false });
  return info !== undefined && Date.now() - info.mtimeMs > UNOWNED_LOCK_GRACE_MS;
}

/**
 * Takes the stale lock out of the way, but only if it is still the one we judged stale:
 * it is renamed aside first, and put back if a live process had replaced it meanwhile.
 */
function breakStaleLock(lockPath: string, staleRaw: string): void {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return;
  }
  if (readOrEmpty(aside) !== staleRaw) ignoreErrors(() => linkSync(aside, lockPath));
  ignoreErrors(() => unlinkSync(aside));
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function ignoreErrors(run: () => void): void {
  try {
    run();
  } catch {
    // best effort
  }
}

/** Creates the lock file holding `content`; false when it already exists. */
function tryCreate(lockPath: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fsFailure(error, 'create the lock file', lockPath);
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Runs `fn` while holding an exclusive cross-process lock on `lockPath`.
 * A lock left by a process on this host that no longer exists (killed mid-write) is broken.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const me: LockOwner = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex') };
  const content = JSON.stringify(me);
  const deadline = Date.now() + timeoutMs;
  ensureDir(dirname(lockPath));
  let delay = 5;
  while (!tryCreate(lockPath, content)) {
    const current = readOwner(lockPath);
    if (current && isStale(lockPath, current.owner, me.host)) {
      breakStaleLock(lockPath, current.raw);
      continue;
    }
    if (Date.now() > deadline) {
      const holder = current?.owner ? ` held by process ${current.owner.pid} on ${current.owner.host}` : '';
      throw new StoreError('conflict', `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the lock ${lockPath}${holder}`, {
        remedy: 'if no mcp-cli process is running, delete the lock file',
      });
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    ignoreErrors(() => {
      if (readOwner(lockPath)?.raw === content) unlinkSync(lockPath);
    });
  }
}
