import type { ProtocolSetting, ServerEntry } from '../config/schema.js';

/** The revision of the 2026 era, and the newest of the 2025 era (which opens with `initialize`). */
export const MODERN_REVISION = '2026-07-28';
export const LEGACY_REVISION = '2025-11-25';
/** Where a `server/discover` answer gives the server's name and version. */
export const SERVER_INFO = 'io.modelcontextprotocol/serverInfo';

/** The SDK's names: `modern` is 2026-07-28 and later, `legacy` 2024-11-05 through 2025-11-25. */
export type Era = 'modern' | 'legacy';

/** What a connection learnt about a server, remembered so that the next one need not ask again. */
export interface EraVerdict {
  era: Era;
  /** The revision the connection settled on. */
  protocolVersion: string;
  /** The server's name and version, as it gave them (for display only). */
  server?: { name: string; version: string };
  /** The server's `server/discover` answer (2026 era): a later connection adopts it without a round trip. */
  discover?: Record<string, unknown>;
  /** The server refused a 2025 `initialize` (it speaks 2026 only): `mcp-cli run` translates for a 2025 client without trying. */
  refusesLegacy?: true;
  /** When it was learnt (ISO 8601). */
  checkedAt: string;
}

/**
 * What a connection learnt, as a verdict to remember: the server's name and version as it gave them
 * (for display), and its 2026 advertisement without its instructions. The caller masks it.
 */
export function eraVerdict(
  era: Era,
  protocolVersion: string,
  server: { name: unknown; version: unknown } | undefined,
  discover: unknown,
  now: Date,
): EraVerdict {
  const advertisement =
    typeof discover === 'object' && discover !== null ? (discover as Record<string, unknown> & { _meta?: Record<string, unknown> }) : undefined;
  const advertised = advertisement && {
    supportedVersions: advertisement.supportedVersions,
    capabilities: advertisement.capabilities,
    ...(advertisement._meta?.[SERVER_INFO] !== undefined ? { _meta: { [SERVER_INFO]: advertisement._meta[SERVER_INFO] } } : {}),
  };
  return {
    era,
    protocolVersion,
    ...(server ? { server: { name: String(server.name).slice(0, 200), version: String(server.version).slice(0, 200) } } : {}),
    ...(advertised ? { discover: advertised } : {}),
    checkedAt: now.toISOString(),
  };
}

/**
 * How an entry settles its era: its `protocol`, else `auto` for streamable HTTP and the 2025 opening
 * for stdio (probing costs a second process) and for the SSE transport (which has no 2026 form).
 */
export function protocolSetting(entry: ServerEntry): ProtocolSetting {
  if (entry.protocol !== undefined) return entry.protocol;
  return entry.transport === 'streamable-http' ? 'auto' : LEGACY_REVISION;
}

/**
 * The key of a server's verdict: its name and what it is (the URL, or the command line), with every
 * reference shown as a placeholder, so that no secret goes into the file and a changed entry asks again.
 */
export function eraKey(name: string, masked: ServerEntry): string {
  const target = masked.transport === 'stdio' ? [masked.command, ...masked.args].join(' ') : `${masked.transport} ${masked.url}`;
  return JSON.stringify([name, target]);
}

/** A remembered verdict that fits the setting: any for `auto`, a 2026 one offering the revision for a pin; none for the 2025 opening. */
export function usableVerdict(verdict: EraVerdict | undefined, setting: ProtocolSetting): EraVerdict | undefined {
  if (!verdict || setting === LEGACY_REVISION) return undefined;
  if (setting === 'auto') return verdict;
  const offered = verdict.discover?.supportedVersions;
  return verdict.era === 'modern' && Array.isArray(offered) && offered.includes(setting) ? verdict : undefined;
}

/** What `servers`, `config show` and `ping --json` say of a server's protocol. */
export interface ProtocolView {
  /** The entry's `protocol`, or what applies without one. */
  setting: ProtocolSetting;
  /** Whether the entry sets `protocol` itself. */
  pinned: boolean;
  /** From the last connection that settled it: `2026` or `2025`, and the revision (null while unknown). */
  era: '2026' | '2025' | null;
  version: string | null;
  checkedAt: string | null;
}

export function protocolView(entry: ServerEntry, verdict: EraVerdict | undefined): ProtocolView {
  const setting = protocolSetting(entry);
  const known = setting === LEGACY_REVISION ? undefined : usableVerdict(verdict, setting);
  const version = known?.protocolVersion ?? (setting === 'auto' ? null : setting);
  return {
    setting,
    pinned: entry.protocol !== undefined,
    era: known ? (known.era === 'modern' ? '2026' : '2025') : setting === 'auto' ? null : setting === MODERN_REVISION ? '2026' : '2025',
    version,
    checkedAt: known?.checkedAt ?? null,
  };
}

/** One cell: the revision when known (`(pinned)` when the entry sets it), `auto` while no connection has settled it. */
export function protocolCell(view: ProtocolView): string {
  if (view.version === null) return 'auto';
  return view.pinned ? `${view.version} (pinned)` : view.version;
}
