import { fsReason } from '../fs/errors.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { withFileLock } from '../fs/lock.js';
import { ownStateDir } from '../paths.js';
import { CONFIG_FILE_NAME } from './locate.js';

/** What an approval is pinned to: the path as found, the path with links resolved, and the content. */
export interface ApprovalSubject {
  path: string;
  realPath: string;
  text: string;
}

/** A config directory that a variable moved, approved as a whole: the path as found and with links resolved. */
export interface DirectorySubject {
  path: string;
  realPath: string;
}

/** One approved config file, as direnv's `allow` pins a file; or, with `kind: 'directory'`, a moved config directory whose server_config.json is used whatever it holds. */
export interface Approval {
  path: string;
  realPath: string;
  /** SHA-256 of both paths and the content (of a directory: both paths): an edit, another location, or a link retargeted is not approved. */
  digest: string;
  approvedAt: string;
  kind?: 'directory';
}

interface ApprovalFile {
  v: 1;
  approvals: Approval[];
}

/** Under the account's home, never where XDG_STATE_HOME or HOME say: a forged approvals file elsewhere would approve anything. */
export function approvalsPath(accountHomeDir: string): string {
  return join(ownStateDir(accountHomeDir), 'approved-configs.json');
}

export function approvalDigest(subject: ApprovalSubject): string {
  return createHash('sha256').update(`mcp-cli config approval\0${subject.path}\0${subject.realPath}\0`, 'utf8').update(subject.text, 'utf8').digest('hex');
}

function directoryDigest(subject: DirectorySubject): string {
  return createHash('sha256').update(`mcp-cli config directory approval\0${subject.path}\0${subject.realPath}`, 'utf8').digest('hex');
}

/** The approvals of config files that are not the user's own: a 0600 JSON file in the state directory. */
export class ApprovalStore {
  constructor(readonly path: string) {}

  list(): Approval[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new CliError(`cannot read the config approvals ${this.path}: ${fsReason(error)}`);
    }
    try {
      const file = JSON.parse(text) as ApprovalFile;
      if (file.v === 1 && Array.isArray(file.approvals))
        return file.approvals.filter(
          (a) =>
            typeof a?.path === 'string' && typeof a.realPath === 'string' && typeof a.digest === 'string' && (a.kind === undefined || a.kind === 'directory'),
        );
    } catch {
      // reported below
    }
    throw new CliError(
      `the config approvals ${this.path} are unreadable`,
      1,
      'delete the file and approve the config files you use again (mcp-cli config trust PATH)',
    );
  }

  /** The approval of this subject as it is now, and whether its path was approved with other content (or another target). */
  lookup(subject: ApprovalSubject): { approval?: Approval; changed: boolean } {
    const digest = approvalDigest(subject);
    const ofPath = this.list().filter((a) => a.path === subject.path && a.kind === undefined);
    const approval = ofPath.find((a) => a.digest === digest);
    return approval ? { approval, changed: false } : { changed: ofPath.length > 0 };
  }

  /** The approval of this directory at this path, with links resolved to where they point now. */
  lookupDirectory(subject: DirectorySubject): Approval | undefined {
    const digest = directoryDigest(subject);
    return this.list().find((a) => a.kind === 'directory' && a.path === subject.path && a.digest === digest);
  }

  /** Approves this content at this path; an earlier approval of the same path is replaced. */
  async approve(subject: ApprovalSubject, now: Date): Promise<void> {
    const approval: Approval = { path: subject.path, realPath: subject.realPath, digest: approvalDigest(subject), approvedAt: now.toISOString() };
    await this.change((approvals) => [...approvals.filter((a) => a.path !== subject.path), approval]);
  }

  /** Approves a moved config directory as a whole; an earlier approval of it is replaced. */
  async approveDirectory(subject: DirectorySubject, now: Date): Promise<void> {
    const approval: Approval = {
      kind: 'directory',
      path: subject.path,
      realPath: subject.realPath,
      digest: directoryDigest(subject),
      approvedAt: now.toISOString(),
    };
    await this.change((approvals) => [...approvals.filter((a) => a.path !== subject.path), approval]);
  }

  /** Removes the approval of a path (as found, or with links resolved; a directory's also by its server_config.json); false when there was none. */
  async revoke(path: string): Promise<boolean> {
    let found = false;
    await this.change((approvals) => {
      const kept = approvals.filter((a) => a.path !== path && a.realPath !== path && !(a.kind === 'directory' && join(a.path, CONFIG_FILE_NAME) === path));
      found = kept.length < approvals.length;
      return kept;
    });
    return found;
  }

  private async change(fn: (approvals: Approval[]) => Approval[]): Promise<void> {
    await withFileLock(`${this.path}.lock`, async () => {
      const approvals = fn(this.list()).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      await writeFileAtomic(this.path, JSON.stringify({ v: 1, approvals } satisfies ApprovalFile, null, 2) + '\n');
    });
  }
}
