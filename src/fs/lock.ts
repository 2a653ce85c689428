import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { CliError } from '../errors.js';
import { ensurePrivateDir } from './atomic-write.js';
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

async function readOwner(lockPath: string): Promise<{ raw: string; owner?: LockOwner } | undefined> {
  try {
    const raw = await readFile(lockPath, 'utf8');
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

async function isStale(lockPath: string, owner: LockOwner | undefined, host: string): Promise<boolean> {
  if (owner) return owner.host === host && !isAlive(owner.pid);
  const info = await stat(lockPath).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > UNOWNED_LOCK_GRACE_MS;
}

/**
 * Takes the stale lock out of the way, but only if it is still the one we judged stale:
 * it is renamed aside first, and put back if a live process had replaced it meanwhile.
 */
async function breakStaleLock(lockPath: string, staleRaw: string): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return;
  }
  const raw = await readFile(aside, 'utf8').catch(() => '');
  if (raw !== staleRaw) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
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
  await ensurePrivateDir(dirname(lockPath));
  let delay = 5;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(content);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = await readOwner(lockPath);
    if (current && (await isStale(lockPath, current.owner, me.host))) {
      await breakStaleLock(lockPath, current.raw);
      continue;
    }
    if (Date.now() > deadline) {
      const holder = current?.owner ? ` held by process ${current.owner.pid} on ${current.owner.host}` : '';
      throw new CliError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for the lock ${lockPath}${holder}`, 1, 'if no mcp-cli process is running, delete the lock file');
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    const current = await readOwner(lockPath).catch(() => undefined);
    if (current?.raw === content) await unlink(lockPath).catch(() => undefined);
  }
}
