import { isTokenType, type TokenKey, type TokenMetadata } from '../../tokens/model.js';
import { vaultFailure } from './connection.js';

/** Marks Vault entries written by mcp-cli; anything else under the prefix is ignored. */
const MARKER = { key: 'managed-by', value: 'mcp-cli' } as const;
const DETAIL = 'detail.';
const CONTINUED = '~';
// Vault's limits for custom_metadata (vault-plugin-secrets-kv path_metadata.go).
const MAX_KEYS = 64;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 512;

/**
 * A token's non-secret metadata as a flat string map, the shape of KV v2 custom_metadata.
 * Name and namespace are not stored: they are the path. Empty values are left out
 * because Vault rejects them, and values longer than Vault's limit are split.
 */
export function encodeMetadata(m: TokenMetadata, extra: Record<string, string> = {}): Record<string, string> {
  const record: Record<string, string> = { [MARKER.key]: MARKER.value, type: m.type, created: m.createdAt, updated: m.updatedAt };
  if (m.expiresAt) record.expires = m.expiresAt;
  if (m.provider) record.provider = m.provider;
  for (const [k, v] of Object.entries(m.details)) if (v !== '') record[DETAIL + k] = v;
  Object.assign(record, extra);
  const chunked: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) {
    // A long value (an OAuth scope list, say) continues in `key~2`, `key~3`, ...
    for (let i = 0; i * MAX_VALUE_LENGTH < v.length; i++)
      chunked[i === 0 ? k : `${k}${CONTINUED}${i + 1}`] = v.slice(i * MAX_VALUE_LENGTH, (i + 1) * MAX_VALUE_LENGTH);
  }
  const entries = Object.entries(chunked);
  const tooLong = entries.find(([k]) => k.length > MAX_KEY_LENGTH);
  if (entries.length > MAX_KEYS || tooLong)
    throw vaultFailure(
      'too-large',
      `the metadata of token '${m.name}' does not fit Vault's custom_metadata limits (${MAX_KEYS} keys of at most ${MAX_KEY_LENGTH} characters)${tooLong ? `: the key '${tooLong[0]}' is too long` : ''}`,
    );
  return chunked;
}

/** Joins values split by encodeMetadata back together. */
function joinContinued(r: Record<string, unknown>): Record<string, unknown> {
  const joined: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (/~\d+$/.test(k) && typeof r[k.replace(/~\d+$/, '')] === 'string') continue;
    if (typeof v !== 'string') {
      joined[k] = v;
      continue;
    }
    let value = v;
    for (let i = 2; typeof r[`${k}${CONTINUED}${i}`] === 'string'; i++) value += r[`${k}${CONTINUED}${i}`] as string;
    joined[k] = value;
  }
  return joined;
}

/** The metadata back, or undefined when the record was not written by mcp-cli (or is incomplete). */
export function decodeMetadata(key: TokenKey, record: unknown): TokenMetadata | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = joinContinued(record as Record<string, unknown>);
  const str = (k: string) => (typeof r[k] === 'string' && r[k] !== '' ? (r[k] as string) : undefined);
  const type = str('type');
  const created = str('created');
  if (r[MARKER.key] !== MARKER.value || !type || !isTokenType(type) || !created) return undefined;
  const details: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) if (k.startsWith(DETAIL) && typeof v === 'string') details[k.slice(DETAIL.length)] = v;
  const expires = str('expires');
  const provider = str('provider');
  return {
    name: key.name,
    namespace: key.namespace,
    type,
    createdAt: created,
    updatedAt: str('updated') ?? created,
    ...(expires ? { expiresAt: expires } : {}),
    ...(provider ? { provider } : {}),
    details,
  };
}
