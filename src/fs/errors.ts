import { CliError } from '../errors.js';
import { StoreError } from '../stores/errors.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EEXIST: 'it already exists',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space is left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the path is too long',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  EBUSY: 'it is busy',
  EIO: 'an input/output error occurred',
  EXDEV: 'it is on another file system',
};

/** The reason for a failed file operation, in words, for an errno such as EACCES. */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code && REASONS[code]) ?? (code ? `error ${code}` : (error as Error).message);
}

/**
 * A failed file operation as an `io` error naming the path: `cannot write /x/y: permission denied`.
 * Errors that already say what went wrong (a StoreError, a CliError such as a cancelled prompt) pass through.
 */
export function fsFailure(error: unknown, action: string, path: string): Error {
  if (error instanceof StoreError || error instanceof CliError) return error;
  return new StoreError('io', `cannot ${action} ${path}: ${fsReason(error)}`);
}
