import type { ResolvedServer } from '../config/resolve.js';
import { CliError } from '../errors.js';
import type { Masker } from '../masking/masker.js';
import { eraKey, eraVerdict, LEGACY_REVISION, MODERN_REVISION, protocolSetting, usableVerdict, type EraVerdict } from './era.js';
import type { EraCache } from './era-cache.js';
import { HttpStatusError } from './streamable-http.js';
import { CLIENT_CAPABILITIES_KEY, CLIENT_INFO_KEY, isObject, PROTOCOL_VERSION_KEY, SERVER_INFO_KEY, type Message, type Params } from './wire.js';

/** The era to speak to a server: 2026 with its advertisement, or 2025. `remembered`: from the state directory, not yet confirmed by the server. */
export type SettledEra = { era: 'modern'; discover: Message; remembered: boolean } | { era: 'legacy'; remembered: boolean };

/** Sends one request of the bridge's own to the server and resolves with the response message (result or error). */
export type Ask = (method: string, params: Params) => Promise<Message>;

export interface EraMemory {
  server: ResolvedServer;
  /** The remembered eras; without them every bridge settles the era afresh. */
  eras?: EraCache;
  masker: Masker;
  now: () => Date;
}

/** The envelope mcp-cli's own probe carries (a client that opens with `server/discover` has its own probe relayed instead). */
export const PROBE_ENVELOPE: Params = {
  [PROTOCOL_VERSION_KEY]: MODERN_REVISION,
  [CLIENT_INFO_KEY]: { name: 'mcp-cli', version: MCP_CLI_VERSION },
  [CLIENT_CAPABILITIES_KEY]: {},
};

const memoryKey = (memory: EraMemory) => eraKey(memory.server.name, memory.server.masked);
const setting = (memory: EraMemory) => protocolSetting(memory.server.entry);

/**
 * The era as the entry's `protocol` settles it: `2025-11-25` without asking; otherwise a verdict
 * remembered less than a day ago, else a `server/discover` probe (its answer, masked, is remembered).
 * A server that answers the probe with anything but a 2026 advertisement speaks 2025, except for a
 * refused credential, a server error or no answer at all, which are failures. A `2026-07-28` pin
 * never falls back.
 */
export async function settleServerEra(ask: Ask, memory: EraMemory, envelope: Params = PROBE_ENVELOPE): Promise<SettledEra & { probe?: Message }> {
  const pinned = setting(memory);
  if (pinned === LEGACY_REVISION) return { era: 'legacy', remembered: false };
  const known = memory.eras && usableVerdict(memory.eras.fresh(memoryKey(memory)), pinned);
  if (known?.era === 'modern' && known.discover) return { era: 'modern', discover: known.discover, remembered: true };
  if (known?.era === 'legacy') return { era: 'legacy', remembered: true };
  const answer = await probe(ask, envelope);
  const discover = isObject(answer?.result) ? answer.result : undefined;
  const offered = Array.isArray(discover?.supportedVersions) && discover.supportedVersions.includes(MODERN_REVISION);
  if (discover && offered) {
    const info = discover._meta && isObject(discover._meta) ? discover._meta[SERVER_INFO_KEY] : undefined;
    await memory.eras?.write(
      memoryKey(memory),
      memory.masker.json(
        eraVerdict('modern', MODERN_REVISION, isObject(info) ? (info as { name: unknown; version: unknown }) : undefined, discover, memory.now()),
      ),
    );
    return { era: 'modern', discover, remembered: false, probe: answer! };
  }
  if (pinned === MODERN_REVISION)
    throw new CliError(
      `server '${memory.server.name}' does not speak protocol ${MODERN_REVISION}, which its entry pins ("protocol")`,
      undefined,
      'set "protocol" to "auto" (or "2025-11-25") in its entry',
    );
  return { era: 'legacy', remembered: false };
}

/** The answer to a probe, or undefined when the server refused it in a way that says it speaks 2025 (any other 4xx). */
async function probe(ask: Ask, envelope: Params): Promise<Message | undefined> {
  try {
    return await ask('server/discover', { _meta: envelope });
  } catch (error) {
    if (error instanceof HttpStatusError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 403) return undefined;
    throw error;
  }
}

/** The verdict remembered for the server less than a day ago that its entry's `protocol` allows, if any. */
export function knownEra(memory: EraMemory): EraVerdict | undefined {
  return memory.eras && usableVerdict(memory.eras.fresh(memoryKey(memory)), setting(memory));
}

/** Remembers that a server speaks 2026 and refused a 2025 `initialize` (with its advertisement, masked). */
export async function rememberLegacyRefused(memory: EraMemory, discover: Message): Promise<void> {
  if (!memory.eras) return;
  const info = isObject(discover._meta) ? discover._meta[SERVER_INFO_KEY] : undefined;
  const verdict = eraVerdict('modern', MODERN_REVISION, isObject(info) ? (info as { name: unknown; version: unknown }) : undefined, discover, memory.now());
  await memory.eras.write(memoryKey(memory), memory.masker.json({ ...verdict, refusesLegacy: true as const }));
}

/** Remembers that a server speaks 2025, once its `initialize` answered (with what it said of itself, masked). */
export async function rememberLegacy(memory: EraMemory, initializeResult: unknown): Promise<void> {
  if (!memory.eras || setting(memory) === LEGACY_REVISION || !isObject(initializeResult)) return;
  const version = initializeResult.protocolVersion;
  if (typeof version !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(version)) return;
  const info = isObject(initializeResult.serverInfo) ? (initializeResult.serverInfo as { name: unknown; version: unknown }) : undefined;
  await memory.eras.write(memoryKey(memory), memory.masker.json(eraVerdict('legacy', version, info, undefined, memory.now())));
}

/** Forgets a remembered era the server no longer speaks: the next bridge asks it again. */
export async function forgetEra(memory: EraMemory): Promise<void> {
  await memory.eras?.forget(memoryKey(memory));
}
