/**
 * The JSON-RPC messages of MCP as they travel, without a schema library: what `mcp-cli run` needs to
 * tell messages apart and to carry them from one protocol era into the other.
 */

export type Id = string | number;
export type Message = Record<string, unknown>;
export type Params = Record<string, unknown>;

export const isObject = (value: unknown): value is Message => typeof value === 'object' && value !== null && !Array.isArray(value);
export const isId = (value: unknown): value is Id => typeof value === 'string' || typeof value === 'number';

export const isRequest = (m: Message): m is Message & { id: Id; method: string } => typeof m.method === 'string' && isId(m.id);
export const isNotification = (m: Message): m is Message & { method: string } => typeof m.method === 'string' && m.id === undefined;
export const isResponse = (m: Message): m is Message & { id: Id } => m.method === undefined && isId(m.id) && ('result' in m || 'error' in m);

export const paramsOf = (m: Message): Params => (isObject(m.params) ? m.params : {});
export const metaOf = (params: Params): Params => (isObject(params._meta) ? params._meta : {});

/** The `_meta` envelope keys of the 2026 era: on every request (the first three), and in results and notifications. */
export const PROTOCOL_VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
export const CLIENT_INFO_KEY = 'io.modelcontextprotocol/clientInfo';
export const CLIENT_CAPABILITIES_KEY = 'io.modelcontextprotocol/clientCapabilities';
export const LOG_LEVEL_KEY = 'io.modelcontextprotocol/logLevel';
export const SERVER_INFO_KEY = 'io.modelcontextprotocol/serverInfo';
export const SUBSCRIPTION_ID_KEY = 'io.modelcontextprotocol/subscriptionId';
const RESERVED_PREFIX = 'io.modelcontextprotocol/';

/** The revisions of the 2025 era, which open with `initialize`; the last one is what mcp-cli offers. */
export const LEGACY_REVISIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'] as const;

/** The revision a 2026-era request claims in its envelope, if it claims one. */
export function claimedRevision(m: Message): string | undefined {
  const version = metaOf(paramsOf(m))[PROTOCOL_VERSION_KEY];
  return typeof version === 'string' ? version : undefined;
}

/** A revision of the 2026 era or later (they are dates: later dates sort later). */
export const isModernRevision = (version: string) => /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= '2026-07-28';

/** Requests whose answer may be `input_required` in the 2026 era (the server needs the client's input). */
export const MULTI_ROUND_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** Results the 2026 era marks with cache hints (`ttlMs`, `cacheScope`). */
export const CACHEABLE_METHODS: ReadonlySet<string> = new Set([
  'server/discover',
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
]);

/** The requests a server may make of its client (2025 era), which the 2026 era carries as `inputRequests`. */
export const INPUT_METHODS: ReadonlySet<string> = new Set(['elicitation/create', 'sampling/createMessage', 'roots/list']);

/** The `_meta` of a message without the 2026 envelope's keys; undefined when nothing else is left. */
export function withoutEnvelope(meta: Params): Params | undefined {
  const kept = Object.entries(meta).filter(([key]) => !key.startsWith(RESERVED_PREFIX));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** The 2026 envelope of a request's params: its `io.modelcontextprotocol/` keys of `_meta`. */
export function envelopeOf(params: Params): Params {
  return Object.fromEntries(Object.entries(metaOf(params)).filter(([key]) => key.startsWith(RESERVED_PREFIX)));
}

/** Params with `_meta` replaced (or removed when `meta` is undefined). */
export function withMeta(params: Params, meta: Params | undefined): Params {
  const { _meta: _dropped, ...rest } = params;
  return meta ? { ...rest, _meta: meta } : rest;
}

export const errorResponse = (id: Id | null, code: number, message: string, data?: unknown): Message => ({
  jsonrpc: '2.0',
  id,
  error: { code, message, ...(data !== undefined ? { data } : {}) },
});

export const resultResponse = (id: Id, result: unknown): Message => ({ jsonrpc: '2.0', id, result });

/** JSON-RPC and MCP error codes the bridge gives or reads. */
export const ErrorCode = {
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  headerMismatch: -32020,
  unsupportedProtocolVersion: -32022,
} as const;
