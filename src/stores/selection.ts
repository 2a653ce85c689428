import type { Availability, BackendDescriptor, BackendEnv } from './backend.js';
import { StoreError } from './errors.js';
import { withFallbackNotice } from './fallback-notice.js';
import { BACKENDS } from './registry.js';
import { BACKEND_NAMES, isBackendName, type BackendName, type SecretStore } from './store.js';

export type BackendSource = '--token-backend' | 'MCP_CLI_TOKEN_BACKEND' | 'tokenStorage.backend' | 'auto';

export interface BackendRequest {
  name: BackendName | 'auto';
  source: BackendSource;
}

export interface Selection {
  name: BackendName;
  source: BackendSource;
  /** Why this backend, in words: "chosen by --token-backend", "auto: no OS keychain reachable". */
  reason: string;
  /** For an automatic fallback: why each keychain before it was passed over. */
  passedOver?: string[];
  /** Other backends that may hold tokens, which the active one does not see (found by a file check). */
  elsewhere?: { backend: BackendName; location: string }[];
}

/** `--token-backend` > `MCP_CLI_TOKEN_BACKEND` > `tokenStorage.backend` > auto. */
export function requestedBackend(opts: { flag?: string; envValue?: string; configValue?: string; configLabel?: string }): BackendRequest {
  const candidates: [string | undefined, BackendSource][] = [
    [opts.flag, '--token-backend'],
    [opts.envValue || undefined, 'MCP_CLI_TOKEN_BACKEND'],
    [opts.configValue, 'tokenStorage.backend'],
  ];
  for (const [value, source] of candidates) {
    if (value === undefined) continue;
    const name = value.trim().toLowerCase();
    if (name === 'auto') return { name, source };
    if (!isBackendName(name)) {
      const where = source === 'tokenStorage.backend' && opts.configLabel ? `${source} in ${opts.configLabel}` : source;
      throw new StoreError('invalid-setting', `unknown token backend ${JSON.stringify(value)} (from ${where})`, {
        remedy: `choose one of: auto, ${BACKEND_NAMES.join(', ')}`,
      });
    }
    return { name, source };
  }
  return { name: 'auto', source: 'auto' };
}

export function descriptorOf(name: BackendName): BackendDescriptor {
  return BACKENDS.find((b) => b.name === name)!;
}

/**
 * Picks the backend. An explicitly requested backend that is unavailable is an error:
 * tokens are never written to a backend the user did not choose.
 */
export async function selectBackend(request: BackendRequest, be: BackendEnv): Promise<Selection> {
  const selection = await choose(request, be);
  const elsewhere = BACKENDS.filter((b) => b.name !== selection.name).flatMap((b) => {
    const location = b.leftovers?.(be);
    return location === undefined ? [] : [{ backend: b.name, location }];
  });
  return elsewhere.length > 0 ? { ...selection, elsewhere } : selection;
}

/**
 * `auto` is one decision: a keychain that is here but locked or refusing is the backend it
 * chose, and an error, never a reason to read or write another backend instead. Only a
 * keychain that is not here at all (no session bus, no Secret Service provider) is passed over.
 */
async function choose(request: BackendRequest, be: BackendEnv): Promise<Selection> {
  if (request.name !== 'auto') {
    const availability = await descriptorOf(request.name).probe(be);
    if (!availability.available)
      throw refusal(
        request.name,
        availability,
        'explicit',
        `token backend '${request.name}' (chosen by ${request.source}) is unavailable: ${availability.detail}`,
        await availableBesides(request.name, be),
      );
    return { name: request.name, source: request.source, reason: `chosen by ${request.source}` };
  }
  const passedOver: string[] = [];
  for (const backend of BACKENDS) {
    const role = backend.autoRole(be);
    if (role === 'skip') continue;
    if (role === 'claim') {
      const availability = await backend.probe(be);
      if (!availability.available)
        throw refusal(
          backend.name,
          availability,
          'auto',
          `token backend '${backend.name}' is configured by ${backend.claimedBy?.(be) ?? 'the environment'} but unavailable: ${availability.detail}`,
          await availableBesides(backend.name, be),
        );
      return { name: backend.name, source: 'auto', reason: `auto: configured by ${backend.claimedBy?.(be) ?? 'the environment'}` };
    }
    if (role === 'if-available') {
      const availability = await backend.probe(be);
      if (availability.available) return { name: backend.name, source: 'auto', reason: 'auto: the OS keychain is reachable' };
      if (availability.present) throw presentButUnusable(backend.name, availability, await availableBesides(backend.name, be));
      passedOver.push(`${backend.name}: ${availability.detail}`);
      continue;
    }
    const why = passedOver.length > 0 ? `auto: no OS keychain reachable (${passedOver.join('; ')})` : 'auto: no OS keychain on this platform';
    return { name: backend.name, source: 'auto', reason: why, ...(passedOver.length > 0 ? { passedOver } : {}) };
  }
  throw new StoreError('unavailable', 'no token backend is available');
}

/** The backends other than `name` that could be used here now: what a refusal offers instead. */
async function availableBesides(name: BackendName, be: BackendEnv): Promise<BackendName[]> {
  const others = BACKENDS.filter((b) => b.name !== name);
  const probes = await Promise.all(others.map((b) => b.probe(be).catch(() => ({ available: false }))));
  return others.filter((_, i) => probes[i]!.available).map((b) => b.name);
}

/** The chosen backend cannot be used: an error, never a reason to use another one (those that would work are named). */
function refusal(name: BackendName, availability: Availability, selection: 'auto' | 'explicit', message: string, alternatives: BackendName[]): StoreError {
  return new StoreError(availability.present === 'locked' ? 'locked' : 'unavailable', message, {
    backend: name,
    remedy: availability.hint,
    selection,
    alternatives,
  });
}

function presentButUnusable(name: BackendName, availability: Availability, alternatives: BackendName[]): StoreError {
  const state = availability.present === 'locked' ? 'is locked' : 'is here but cannot be used';
  return refusal(
    name,
    availability,
    'auto',
    `the OS keychain (${name}) ${state}: ${availability.detail}; auto chose it, so nothing was read from or written to another backend`,
    alternatives,
  );
}

export async function openSelected(selection: Selection, be: BackendEnv): Promise<SecretStore> {
  const store = await descriptorOf(selection.name).open(be);
  return selection.passedOver ? withFallbackNotice(store, selection.passedOver, be) : store;
}
