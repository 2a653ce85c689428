import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { open, rename, unlink, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StoreError } from '../stores/errors.js';
import { fsFailure } from './errors.js';

/**
 * Creates `dir` and any missing parents with mode 0700. A directory that already exists is
 * left exactly as it is: mcp-cli tightens only what it created (an export into a shared,
 * world-writable folder must not change that folder). Synchronous: a few quick system calls
 * cost less than as many trips through the thread pool.
 */
export function ensureDir(dir: string): void {
  let first: string | undefined;
  try {
    first = mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new StoreError('io', `cannot create the directory ${dir}: a file that is not a directory is in the way`);
    throw fsFailure(error, 'create the directory', dir);
  }
  if (first === undefined) return;
  // The umask may have taken bits away; everything from `first` down to `dir` is ours.
  for (let created = dir; ; created = dirname(created)) {
    try {
      chmodSync(created, 0o700);
    } catch (error) {
      throw fsFailure(error, 'set the mode of the directory', created);
    }
    if (created === first || dirname(created) === created) break;
  }
}

const TEMP_MARK = '.tmp-';

/**
 * Replaces `path` with `data` so that a reader, or a crash at any point, sees
 * either the old file or the new one: temp file (0600) + fsync + rename + fsync of the directory.
 * A missing directory is created (0700); an existing one keeps its mode. Failures are
 * sentences naming the path (`label`, default `path`). `options.mode` gives the file another mode
 * than 0600 (a file of another program keeps its own); `options.beforeRename` runs last, once the new
 * content is on disk, and may throw to leave `path` untouched (a file someone else changed meanwhile).
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  label = path,
  options: { mode?: number; beforeRename?: () => void | Promise<void> } = {},
): Promise<void> {
  const dir = dirname(path);
  ensureDir(dir);
  const temp = join(dir, `${basename(path)}${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx', 0o600).catch((error: unknown) => {
    throw fsFailure(error, 'write', label);
  });
  try {
    await handle.writeFile(data);
    if (options.mode !== undefined) await handle.chmod(options.mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw fsFailure(error, 'write', label);
  }
  await handle.close();
  try {
    await options.beforeRename?.();
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw fsFailure(error, 'replace', label);
  }
  // Windows opens no directory as a file, and its file systems journal the rename themselves.
  if (process.platform === 'win32') return;
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
