import { CliError } from '../errors.js';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Parses `90d`, `12h`, `2w`, `30m`, `45s`, `1y` into milliseconds, or undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*([smhdwy])$/i.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!;
}

export function requireDuration(text: string, option: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new CliError(`invalid ${option} ${JSON.stringify(text)}: expected a duration such as 7d, 12h or 2w`);
  return ms;
}

/** The latest expiry stored: `toISOString()` writes later years as `+010000-...`, which other tools do not read as a date. */
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Why the fields of an ISO date name no moment (`Date` would quietly move 2027-02-30 to 2 March), or undefined. */
function impossibleDate(match: RegExpExecArray): string | undefined {
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => (part === undefined ? 0 : Number(part))) as number[];
  if (month! < 1 || month! > 12) return `there is no month ${month}`;
  if (day === 0) return 'there is no day 0';
  const days = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (day! > days) return `${MONTHS[month! - 1]} ${year} has ${days} days`;
  if (hour! > 23) return 'hours go up to 23';
  if (minute! > 59 || second! > 59) return 'minutes and seconds go up to 59';
  return undefined;
}

/**
 * `--expires` (and `--since`): an ISO date (`2027-01-31`, `2027-01-31T12:00:00Z`) or a duration from
 * now (`90d`). A day that does not exist, or a moment past 9999-12-31, is an error naming why.
 */
export function parseExpiry(text: string, now: Date, option = '--expires'): Date {
  const fail = (why: string) => new CliError(`invalid ${option} ${JSON.stringify(text)}: ${why}`);
  const ms = parseDuration(text);
  let time: number | undefined;
  if (ms !== undefined) time = now.getTime() + ms;
  else {
    const match = ISO_DATE.exec(text.trim());
    if (!match) throw fail('expected an ISO date (2027-01-31) or a duration (90d, 12h, 2w)');
    const impossible = impossibleDate(match);
    if (impossible) throw fail(impossible);
    time = new Date(text.trim()).getTime();
    if (Number.isNaN(time)) throw fail('expected an ISO date (2027-01-31) or a duration (90d, 12h, 2w)');
  }
  if (!(time <= LATEST)) throw fail('it ends after 9999-12-31, the latest expiry mcp-cli stores');
  return new Date(time);
}

/** A duration for people, rounded to the nearest day, hour or minute: `--expires 3d` is "3d" at once, not "2d". */
export function inWords(ms: number): string {
  const { d: day, h: hour, m: minute } = UNIT_MS as { d: number; h: number; m: number };
  if (ms >= day - hour / 2) return `${Math.round(ms / day)}d`;
  if (ms >= hour - minute / 2) return `${Math.round(ms / hour)}h`;
  return `${Math.max(1, Math.round(ms / minute))}m`;
}
