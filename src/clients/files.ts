import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, realpathSync } from 'node:fs';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { fsReason } from '../fs/errors.js';
import { readWhole } from '../fs/read-whole.js';

/** ~/.claude.json grows with every project Claude Code has seen; anything beyond this is not a client's config. */
export const MAX_CLIENT_FILE_BYTES = 32 * 1024 * 1024;

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export interface ReadFile {
  text: string;
  /** Permission bits, kept when the file is replaced. */
  mode: number;
  /** Where the bytes really are: a link (a dotfiles repository's) is followed, not replaced. */
  realPath: string;
}

/** A client's file as it is now: undefined when there is none; an error names the path and why. */
export function readClientFile(path: string): ReadFile | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${path}: ${fsReason(error)}`);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new CliError(`cannot read ${path}: it is not a regular file`);
    if (info.size > MAX_CLIENT_FILE_BYTES) throw new CliError(`${path} is larger than ${MAX_CLIENT_FILE_BYTES / 1024 / 1024} MiB; it was not read`);
    const bytes = readWhole(fd, info.size);
    const text = bytes.toString('utf8');
    // Written back as text, so it must be text that comes back byte for byte.
    if (!Buffer.from(text, 'utf8').equals(bytes)) throw new CliError(`${path} is not UTF-8 text; it was left as it is`);
    return { text, mode: info.mode & 0o7777, realPath: realpathSync(path) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces a client's file atomically, keeping its mode, where its bytes really are (a link is
 * followed). `expected` is the text the change was planned on (undefined: there was no file): when
 * the file holds anything else right before the new one takes its place, someone changed it
 * meanwhile, and it is left as they left it.
 */
export async function replaceClientFile(path: string, text: string, expected: string | undefined, mode?: number): Promise<void> {
  const current = readClientFile(path);
  const target = current?.realPath ?? path;
  const check = () => {
    const now = readClientFile(path);
    if ((now?.text ?? undefined) !== expected)
      throw new CliError(`${path} was changed by another program since mcp-cli read it; it was left as it is`, 1, 'run the command again');
  };
  check();
  await writeFileAtomic(target, text, path, { mode: current?.mode ?? mode ?? 0o600, beforeRename: check });
}
