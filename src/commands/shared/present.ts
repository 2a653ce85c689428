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
  };
}

/** `2026-11-26 20:05 UTC` on a terminal, the ISO timestamp when piped. */
export function formatTime(iso: string, tty: boolean): string {
  if (!tty) return iso;
  return iso.replace('T', ' ').replace(/:\d{2}(\.\d+)?Z$/, ' UTC');
}

const DAY = 86_400_000;

export function inWords(ms: number): string {
  if (ms >= DAY) return `${Math.floor(ms / DAY)}d`;
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)}h`;
  return `${Math.max(1, Math.floor(ms / 60_000))}m`;
}

/** The Expires cell: empty when the token never expires, ⚠️ once expired, ⏳ when it expires within `soonMs`. */
export function expiryCell(m: TokenMetadata, now: Date, tty: boolean, soonMs = 7 * DAY): string {
  if (m.expiresAt === undefined) return tty ? '-' : '';
  const when = formatTime(m.expiresAt, tty);
  if (isExpired(m, now)) return `${when} ⚠️ expired`;
  const left = Date.parse(m.expiresAt) - now.getTime();
  return left <= soonMs ? `${when} ⏳ in ${inWords(left)}` : when;
}

export function detailsCell(m: TokenMetadata): string {
  const parts = m.provider ? [`provider=${m.provider}`] : [];
  for (const [key, value] of Object.entries(m.details)) parts.push(`${key}=${value}`);
  return parts.join(', ');
}
