import { CliError } from '../../errors.js';
import { isTokenType, type TokenKey, type TokenMetadata } from '../../tokens/model.js';

/** Marks Vault entries written by mcp-cli; anything else under the prefix is ignored. */
const MARKER = { key: 'managed-by', value: 'mcp-cli' } as const;
const DETAIL = 'detail.';
// Vault's limits for custom_metadata (vault-plugin-secrets-kv path_metadata.go).
const MAX_KEYS = 64;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 512;

/**
 * A token's non-secret metadata as a flat string map, the shape of KV v2 custom_metadata.
 * Name and namespace are not stored: they are the path. Empty values are left out
 * because Vault rejects them.
 */
export function encodeMetadata(m: TokenMetadata, extra: Record<string, string> = {}): Record<string, string> {
  const record: Record<string, string> = { [MARKER.key]: MARKER.value, type: m.type, created: m.createdAt, updated: m.updatedAt };
  if (m.expiresAt) record.expires = m.expiresAt;
  if (m.provider) record.provider = m.provider;
  for (const [k, v] of Object.entries(m.details)) if (v !== '') record[DETAIL + k] = v;
  Object.assign(record, extra);
  const entries = Object.entries(record);
  const tooLong = entries.find(([k, v]) => k.length > MAX_KEY_LENGTH || v.length > MAX_VALUE_LENGTH);
  if (entries.length > MAX_KEYS || tooLong)
    throw new CliError(
      `the metadata of token '${m.name}' does not fit Vault's custom_metadata limits (${MAX_KEYS} keys, ${MAX_KEY_LENGTH}-character keys, ${MAX_VALUE_LENGTH}-character values)${tooLong ? `: '${tooLong[0]}' is too long` : ''}`,
    );
  return record;
}

/** The metadata back, or undefined when the record was not written by mcp-cli (or is incomplete). */
export function decodeMetadata(key: TokenKey, record: unknown): TokenMetadata | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as Record<string, unknown>;
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
