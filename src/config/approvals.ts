import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { withFileLock } from '../fs/lock.js';
import { stateDir, type Env } from '../paths.js';

/** One approved config file, pinned to its path and its content, as direnv's `allow` is. */
export interface Approval {
  path: string;
  /** SHA-256 of the path and the content together: any edit, or the same content elsewhere, is not approved. */
  digest: string;
  approvedAt: string;
}

interface ApprovalFile {
  v: 1;
  approvals: Approval[];
}

export function approvalsPath(env: Env): string {
  return join(stateDir(env), 'approved-configs.json');
}

export function approvalDigest(realPath: string, text: string): string {
  return createHash('sha256').update(`mcp-cli config approval\0${realPath}\0`, 'utf8').update(text, 'utf8').digest('hex');
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
      throw new CliError(`cannot read the config approvals ${this.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    try {
      const file = JSON.parse(text) as ApprovalFile;
      if (file.v === 1 && Array.isArray(file.approvals)) return file.approvals.filter((a) => typeof a?.path === 'string' && typeof a.digest === 'string');
    } catch {
      // reported below
    }
    throw new CliError(`the config approvals ${this.path} are unreadable`, 1, 'delete the file and approve the config files you use again (mcp-cli config trust PATH)');
  }

  isApproved(realPath: string, text: string): Approval | undefined {
    const digest = approvalDigest(realPath, text);
    return this.list().find((a) => a.path === realPath && a.digest === digest);
  }

  /** Approves this content at this path; an earlier approval of the same path is replaced. */
  async approve(realPath: string, text: string, now: Date): Promise<void> {
    await this.change((approvals) => [...approvals.filter((a) => a.path !== realPath), { path: realPath, digest: approvalDigest(realPath, text), approvedAt: now.toISOString() }]);
  }

  /** Removes the approval of a path; false when there was none. */
  async revoke(realPath: string): Promise<boolean> {
    let found = false;
    await this.change((approvals) => {
      found = approvals.some((a) => a.path === realPath);
      return approvals.filter((a) => a.path !== realPath);
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
