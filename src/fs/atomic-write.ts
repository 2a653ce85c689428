import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { open, rename, unlink, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Creates `dir` (and parents) with mode 0700, and tightens it to 0700 if it already exists.
 * Synchronous: two quick system calls cost less than two trips through the thread pool.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

const TEMP_MARK = '.tmp-';

/**
 * Replaces `path` with `data` so that a reader, or a crash at any point, sees
 * either the old file or the new one: temp file (0600) + fsync + rename + fsync of the directory.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  ensurePrivateDir(dir);
  const temp = join(dir, `${basename(path)}${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/**
 * Removes temp files left by writers that died mid-write. Call only while
 * holding the file's lock, so that no live writer's temp file is removed.
 */
export async function removeStaleTempFiles(path: string): Promise<void> {
  const prefix = basename(path) + TEMP_MARK;
  const entries = await readdir(dirname(path)).catch(() => [] as string[]);
  await Promise.all(entries.filter((e) => e.startsWith(prefix)).map((e) => unlink(join(dirname(path), e)).catch(() => undefined)));
}
