import type { Ctx } from '../../context.js';
import { colorEnabled, type Tone } from '../../io/style.js';
import type { TableOutput } from '../../io/table.js';
import { inWords } from '../../tokens/duration.js';
import { isExpired, type TokenMetadata } from '../../tokens/model.js';

/** The documented `--json` shape of one token's metadata (README, "Token commands"). */
export interface TokenJson {
  name: string;
  namespace: string;
  type: string;
  provider: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  expired: boolean;
  details: Record<string, string>;
  /** The account of an OAuth login made with `auth login SERVER --account NAME` (stored as `SERVER@NAME`). */
  account?: string;
}

export function tokenJson(m: TokenMetadata, now: Date): TokenJson {
  return {
    name: m.name,
    namespace: m.namespace,
    type: m.type,
    provider: m.provider ?? null,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    expiresAt: m.expiresAt ?? null,
    expired: isExpired(m, now),
    details: { ...m.details },
    ...accountLogin(m),
  };
}

function accountLogin(m: TokenMetadata): Pick<TokenJson, 'account'> {
  const account = m.details.account;
  return m.type === 'oauth' && account !== undefined ? { account } : {};
}

/** `2026-11-26 20:05 UTC` on a terminal, the ISO timestamp when piped. */
export function formatTime(iso: string, tty: boolean): string {
  if (!tty) return iso;
  return iso.replace('T', ' ').replace(/:\d{2}(\.\d+)?Z$/, ' UTC');
}

/** How a table on stdout is drawn: for a terminal (its width, colours) or for a pipe. */
export function tableOutput(ctx: Ctx): TableOutput {
  return { tty: ctx.tty.stdout, columns: ctx.columns, color: colorEnabled(ctx.env, ctx.tty.stdout) };
}

const DAY = 86_400_000;

/** How a token stands by its expiry: expired, expiring within `soonMs`, or neither (undefined). */
export type ExpiryStatus = 'expired' | 'expiring';

export function expiryStatus(m: TokenMetadata, now: Date, soonMs = 7 * DAY): ExpiryStatus | undefined {
  if (m.expiresAt === undefined) return undefined;
  if (isExpired(m, now)) return 'expired';
  return Date.parse(m.expiresAt) - now.getTime() <= soonMs ? 'expiring' : undefined;
}

/** The colour of a row by its token's expiry. */
export function expiryTone(status: ExpiryStatus | undefined): Tone | undefined {
  return status === 'expired' ? 'red' : status === 'expiring' ? 'yellow' : undefined;
}

/** What a token without an expiry shows, wherever an expiry is shown to people. */
export const NEVER_EXPIRES = 'never';

/**
 * The Expires cell. On a terminal: the time, with ⚠️ once expired and ⏳ and the time left when it
 * expires within `soonMs`; "never" without an expiry. Piped: the ISO time alone, or nothing
 * (the status has a column of its own there).
 */
export function expiryCell(m: TokenMetadata, now: Date, tty: boolean, soonMs = 7 * DAY): string {
  if (m.expiresAt === undefined) return tty ? NEVER_EXPIRES : '';
  if (!tty) return m.expiresAt;
  const when = formatTime(m.expiresAt, tty);
  const status = expiryStatus(m, now, soonMs);
  if (status === 'expired') return `${when} ⚠️ expired`;
  return status === 'expiring' ? `${when} ⏳ in ${inWords(Date.parse(m.expiresAt) - now.getTime())}` : when;
}

/** Years from 2 on, else days: a compact age for a table that must give way (`2y`, `45d`, `3h`). */
function shortSpan(ms: number): string {
  const years = Math.floor(ms / (365 * DAY));
  return years >= 2 ? `${years}y` : inWords(ms);
}

/** The Expires cell when the table must give way on a terminal: `in 3d`, `⏳ in 3d`, `⚠️ expired 2y ago`, `never`. */
export function shortExpiryCell(m: TokenMetadata, now: Date, soonMs = 7 * DAY): string {
  if (m.expiresAt === undefined) return NEVER_EXPIRES;
  const left = Date.parse(m.expiresAt) - now.getTime();
  const status = expiryStatus(m, now, soonMs);
  if (status === 'expired') return `⚠️ expired ${shortSpan(-left)} ago`;
  return `${status === 'expiring' ? '⏳ ' : ''}in ${shortSpan(left)}`;
}

/** The Expires line of a detail view (`token get`, `auth status NAME`): as in a table on a terminal; piped, the ISO time and its status. */
export function expiryLine(m: TokenMetadata, now: Date, tty: boolean): string {
  if (tty || m.expiresAt === undefined) return expiryCell(m, now, true);
  const status = expiryStatus(m, now);
  return status ? `${m.expiresAt} (${status})` : m.expiresAt;
}

export function detailsCell(m: TokenMetadata): string {
  const parts = m.provider ? [`provider=${m.provider}`] : [];
  for (const [key, value] of Object.entries(m.details)) parts.push(`${key}=${value}`);
  return parts.join(', ');
}
