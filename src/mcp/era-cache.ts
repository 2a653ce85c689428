import { closeSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { withFileLock } from '../fs/lock.js';
import { readWhole } from '../fs/read-whole.js';
import { stateDir, type Env } from '../paths.js';
import type { EraVerdict } from './era.js';

/**
 * How long a verdict is used without asking the server again. A stale 2026 verdict fails at the first
 * request (and is re-probed then), but a stale 2025 one would go unnoticed: a server that moved to
 * 2026-07-28 still answers `initialize` while it serves both eras. A day bounds that.
 */
export const ERA_VERDICT_MAX_AGE_MS = 24 * 3_600_000;

/** Beyond these, a file is not read (it is not one mcp-cli wrote) and a record is not kept. */
const MAX_FILE_BYTES = 1 << 20;
const MAX_RECORD_BYTES = 16 * 1024;
const MAX_RECORDS = 500;

/** The remembered protocol era of each server: `$XDG_STATE_HOME/mcp-cli/eras.json`. A cache: losing it costs a probe. */
export interface EraCache {
  /** The verdict recorded for a server, however old (for display); undefined when there is none. */
  read(key: string): EraVerdict | undefined;
  /** The verdict, if it is young enough to connect by. */
  fresh(key: string): EraVerdict | undefined;
  write(key: string, verdict: EraVerdict): Promise<void>;
  forget(key: string): Promise<void>;
}

export function eraCachePath(env: Env): string {
  return join(stateDir(env), 'eras.json');
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const REVISION = /^\d{4}-\d{2}-\d{2}$/;
const shortString = (value: unknown): value is string => typeof value === 'string' && value.length <= 200;

/** A record as mcp-cli writes it, or undefined: the file is read back as untrusted as any other input. */
function verdictFrom(value: unknown): EraVerdict | undefined {
  if (!isObject(value)) return undefined;
  const { era, protocolVersion, server, discover, refusesLegacy, checkedAt } = value;
  if ((era !== 'modern' && era !== 'legacy') || typeof protocolVersion !== 'string' || !REVISION.test(protocolVersion)) return undefined;
  if (typeof checkedAt !== 'string' || Number.isNaN(Date.parse(checkedAt))) return undefined;
  if (era === 'modern' && !isObject(discover)) return undefined;
  const identity = isObject(server) && shortString(server.name) && shortString(server.version) ? { name: server.name, version: server.version } : undefined;
  return {
    era,
    protocolVersion,
    ...(identity ? { server: identity } : {}),
    ...(era === 'modern' ? { discover: discover as Record<string, unknown> } : {}),
    ...(era === 'modern' && refusesLegacy === true ? { refusesLegacy: true as const } : {}),
    checkedAt,
  };
}

function readRecords(path: string): Map<string, EraVerdict> {
  const records = new Map<string, EraVerdict>();
  let text: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const { size } = fstatSync(fd);
      if (size > MAX_FILE_BYTES) return records;
      text = readWhole(fd, size).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return records;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return records;
  }
  if (!isObject(data) || data.version !== 1 || !isObject(data.servers)) return records;
  for (const [key, value] of Object.entries(data.servers)) {
    const verdict = verdictFrom(value);
    if (verdict) records.set(key, verdict);
  }
  return records;
}

export function eraCache(path: string, now: () => Date): EraCache {
  let records: Map<string, EraVerdict> | undefined;
  const loaded = () => (records ??= readRecords(path));
  const age = (verdict: EraVerdict) => now().getTime() - Date.parse(verdict.checkedAt);
  const update = async (change: (current: Map<string, EraVerdict>) => void) => {
    try {
      await withFileLock(`${path}.lock`, async () => {
        const current = readRecords(path);
        change(current);
        const kept = [...current]
          .filter(([, verdict]) => age(verdict) < ERA_VERDICT_MAX_AGE_MS && JSON.stringify(verdict).length <= MAX_RECORD_BYTES)
          .sort(([, a], [, b]) => Date.parse(b.checkedAt) - Date.parse(a.checkedAt))
          .slice(0, MAX_RECORDS);
        await writeFileAtomic(path, `${JSON.stringify({ version: 1, servers: Object.fromEntries(kept) }, null, 2)}\n`);
        records = new Map(kept);
      });
    } catch {
      // A cache that cannot be written (a read-only home) costs the next command a probe, nothing more.
    }
  };
  return {
    read: (key) => loaded().get(key),
    fresh(key) {
      const verdict = loaded().get(key);
      return verdict && age(verdict) >= 0 && age(verdict) < ERA_VERDICT_MAX_AGE_MS ? verdict : undefined;
    },
    write: (key, verdict) => update((current) => current.set(key, verdict)),
    forget: (key) => update((current) => current.delete(key)),
  };
}
