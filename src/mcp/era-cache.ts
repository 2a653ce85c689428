import { closeSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { withFileLock } from '../fs/lock.js';
import { readWhole } from '../fs/read-whole.js';
import { stateDir, type Env } from '../paths.js';
import { LEGACY_REVISION, MODERN_REVISION, SERVER_INFO, type Era, type EraVerdict } from './era.js';

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
/** The first revision of the 2025 era: nothing older is an era mcp-cli speaks. */
const FIRST_REVISION = '2024-11-05';
/** How far ahead of this machine's clock a record may be dated: a record from the future would never age out. */
const CLOCK_SKEW_MS = 60_000;

/** Whether YYYY-MM-DD is a day of the calendar (Date.parse takes 2025-02-30 as 2 March). */
const isCalendarDate = (value: string) => {
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
};

/** The era a revision belongs to, or undefined for a string that is no revision mcp-cli speaks. */
function eraOfRevision(value: unknown): Era | undefined {
  if (typeof value !== 'string' || !REVISION.test(value) || !isCalendarDate(value)) return undefined;
  if (value >= MODERN_REVISION) return 'modern';
  return value >= FIRST_REVISION && value <= LEGACY_REVISION ? 'legacy' : undefined;
}

const identityFrom = (value: unknown) =>
  isObject(value) && shortString(value.name) && shortString(value.version) ? { name: value.name, version: value.version } : undefined;

/** The parts of a `server/discover` answer that mcp-cli writes (src/mcp/connect.ts), and nothing else: no instructions, no other field. */
function discoverFrom(value: unknown, protocolVersion: string): Record<string, unknown> | undefined {
  if (!isObject(value)) return undefined;
  const { supportedVersions, capabilities, _meta } = value;
  if (!Array.isArray(supportedVersions) || supportedVersions.length > 32 || !supportedVersions.every((v) => eraOfRevision(v) !== undefined)) return undefined;
  if (!supportedVersions.includes(protocolVersion) || (capabilities !== undefined && !isObject(capabilities))) return undefined;
  const info = isObject(_meta) ? identityFrom(_meta[SERVER_INFO]) : undefined;
  return {
    supportedVersions: [...supportedVersions] as string[],
    ...(capabilities !== undefined ? { capabilities } : {}),
    ...(info ? { _meta: { [SERVER_INFO]: info } } : {}),
  };
}

/**
 * A record as mcp-cli writes it, or undefined. The file lies where XDG_STATE_HOME points, which an MCP
 * client's entry can set for `mcp-cli run`: it is read as untrusted as any other input. A record must
 * name a revision of the era it claims, be no bigger than mcp-cli writes one, and not be dated ahead.
 */
function verdictFrom(value: unknown, now: Date): EraVerdict | undefined {
  if (!isObject(value)) return undefined;
  const { era, protocolVersion, server, discover, refusesLegacy, checkedAt } = value;
  if ((era !== 'modern' && era !== 'legacy') || eraOfRevision(protocolVersion) !== era) return undefined;
  if (typeof checkedAt !== 'string' || Number.isNaN(Date.parse(checkedAt)) || Date.parse(checkedAt) > now.getTime() + CLOCK_SKEW_MS) return undefined;
  if (!fitsRecord(value)) return undefined;
  const advertised = era === 'modern' ? discoverFrom(discover, protocolVersion as string) : undefined;
  if (era === 'modern' && !advertised) return undefined;
  const identity = identityFrom(server);
  return {
    era,
    protocolVersion: protocolVersion as string,
    ...(identity ? { server: identity } : {}),
    ...(advertised ? { discover: advertised } : {}),
    ...(era === 'modern' && refusesLegacy === true ? { refusesLegacy: true as const } : {}),
    checkedAt,
  };
}

/** Whether a record is no bigger than one mcp-cli keeps (a deeply nested one does not serialise at all). */
function fitsRecord(value: unknown): boolean {
  try {
    return JSON.stringify(value).length <= MAX_RECORD_BYTES;
  } catch {
    return false;
  }
}

function readRecords(path: string, now: Date): Map<string, EraVerdict> {
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
    if (records.size >= MAX_RECORDS) break;
    const verdict = verdictFrom(value, now);
    if (verdict) records.set(key, verdict);
  }
  return records;
}

export function eraCache(path: string, now: () => Date): EraCache {
  let records: Map<string, EraVerdict> | undefined;
  const loaded = () => (records ??= readRecords(path, now()));
  const age = (verdict: EraVerdict) => now().getTime() - Date.parse(verdict.checkedAt);
  const update = async (change: (current: Map<string, EraVerdict>) => void) => {
    try {
      await withFileLock(`${path}.lock`, async () => {
        const current = readRecords(path, now());
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
