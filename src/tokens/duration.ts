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

/** `--expires`: an ISO date (`2027-01-31`, `2027-01-31T12:00:00Z`) or a duration from now (`90d`). */
export function parseExpiry(text: string, now: Date): Date {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now.getTime() + ms);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    const date = new Date(text.trim());
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new CliError(`invalid --expires ${JSON.stringify(text)}: expected an ISO date (2027-01-31) or a duration (90d, 12h, 2w)`);
}

/** A duration for people, rounded to the nearest day, hour or minute: `--expires 3d` is "3d" at once, not "2d". */
export function inWords(ms: number): string {
  const { d: day, h: hour, m: minute } = UNIT_MS as { d: number; h: number; m: number };
  if (ms >= day - hour / 2) return `${Math.round(ms / day)}d`;
  if (ms >= hour - minute / 2) return `${Math.round(ms / hour)}h`;
  return `${Math.max(1, Math.round(ms / minute))}m`;
}
