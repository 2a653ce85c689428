import { describeReference } from '../config/references.js';
import type { ResolvedServer } from '../config/resolve.js';
import { CliError, ExitCode } from '../errors.js';
import { networkProblem } from '../network-failure.js';
import { StoreError } from '../stores/errors.js';
import { protocolSetting } from './era.js';
import { describeTlsFailure } from './tls-fetch.js';

/** Why talking to a server failed, in words for the user; `auth` marks a missing or refused credential (exit 4). */
export interface Failure {
  message: string;
  hint?: string;
  auth: boolean;
}

/** What is known beside the error itself. */
export interface FailureContext {
  /** The status of the last answer the fetch saw, when it was 401 or 403. */
  authStatus?: number;
  tlsError?: string;
  /** The server does OAuth (configured, or advertised by a 401). */
  usesOAuth: boolean;
  /** The transport holds a session: a 404 then means the server forgot it. */
  sessionId?: string;
  /** Masks the server's secrets in what it said. */
  mask(text: string): string;
}

/** The one place where a rejected credential is explained, naming what to fix. */
export function authenticationFailure(server: ResolvedServer, status: number | undefined, viaOAuth: boolean): Failure {
  const answer = status ? `answered HTTP ${status}` : 'requires authorization';
  if (viaOAuth)
    return {
      message: `server '${server.name}' ${answer}: the OAuth login is missing or no longer valid`,
      hint: `log in: mcp-cli auth login ${server.name}`,
      auth: true,
    };
  const sent = server.uses.filter((u) => u.reference.kind === 'token' && (u.field === 'url' || u.field.startsWith('headers.')));
  if (sent.length === 0)
    return {
      message: `server '${server.name}' ${answer}, and its entry sends no stored token`,
      hint: 'store one with `mcp-cli token set` and reference it in a header, e.g. "Authorization": "Bearer ${TOKEN:bearer:NAME}"; or, for an OAuth server that publishes no OAuth metadata (MCP 2025-03-26), add "oauth": {} to its entry',
      auth: true,
    };
  const which = [...new Set(sent.map((u) => `${describeReference(u.reference)} (${u.field})`))].join(', ');
  const first = sent[0]!.reference;
  // The token is there, of the right type: a new value under the same metadata is what fixes it.
  const hint = first.kind === 'token' ? `store a valid value: mcp-cli token rotate ${first.name} --namespace ${first.namespace}` : undefined;
  return { message: `server '${server.name}' ${answer}: the credentials from ${which} were rejected`, ...(hint ? { hint } : {}), auth: true };
}

/** A failure as the CLI reports it: exit 4 for a credential, 1 otherwise. */
export function failureError(failure: Failure): CliError {
  return new CliError(failure.message, failure.auth ? ExitCode.authRequired : ExitCode.failure, failure.hint);
}

/** The code at the bottom of a chain of causes: fetch wraps a socket's error in "fetch failed", the SDK may wrap that again. */
export function rootCauseCode(error: unknown): string | undefined {
  let code: string | undefined;
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') code = e.code;
  }
  return code;
}

/** The HTTP status an SDK error carries: `status` on the streamable HTTP transport's errors, a numeric `code` on the SSE transport's. */
export function httpStatusOf(error: unknown): number | undefined {
  const { status, code } = (error ?? {}) as { status?: unknown; code?: unknown };
  if (typeof status === 'number' && status >= 400) return status;
  if (typeof code === 'number' && code >= 400 && code < 600) return code;
  return undefined;
}

/** The JSON-RPC error code of a protocol error, or of the JSON-RPC error an HTTP error's body holds. */
export function rpcErrorCode(error: unknown): number | undefined {
  const { code, data } = (error ?? {}) as { code?: unknown; data?: { text?: unknown } };
  if (typeof code === 'number' && code < 0) return code;
  if (typeof data?.text !== 'string') return undefined;
  try {
    const body = JSON.parse(data.text) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'number' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

const UNSUPPORTED_PROTOCOL_VERSION = -32022;

/**
 * Whether the server does not speak an era the client insisted on: the SDK's verdict that negotiation
 * failed (not a transport failure it wraps in the same code, which carries a cause or a status), or a
 * `-32022` unsupported protocol version.
 */
export function isEraMismatch(error: unknown): boolean {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: unknown };
  if (code === 'ERA_NEGOTIATION_FAILED') return cause === undefined && httpStatusOf(error) === undefined;
  return rpcErrorCode(error) === UNSUPPORTED_PROTOCOL_VERSION;
}

/** An error of mcp-cli's own (a login that is needed, a store that failed) that the SDK passed on wrapped, e.g. in a failed probe. */
export function carriedError(error: unknown): CliError | StoreError | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof CliError || e instanceof StoreError) return e;
  }
  return undefined;
}

/** A pinned era the server does not speak: said as such, with the way out. */
function eraFailure(server: ResolvedServer, error: unknown, where: string): Failure | undefined {
  const setting = protocolSetting(server.entry);
  if (setting === 'auto' || !isEraMismatch(error)) return undefined;
  const other = setting === '2025-11-25' ? '"auto" (or "2026-07-28")' : '"auto" (or "2025-11-25")';
  return {
    message: `server '${server.name}' (${where}) does not speak protocol ${setting}, which its entry pins ("protocol")`,
    hint: `set "protocol" to ${other} in its entry`,
    auth: false,
  };
}

/** Why a connection or a request failed, for a command's error or the bridge's log. */
export function describeFailure(server: ResolvedServer, thrown: unknown, context: FailureContext): Failure {
  const entry = server.masked;
  const error = carriedError(thrown) ?? thrown;
  const where = entry.transport === 'stdio' ? `command ${entry.command}` : entry.url;
  if (error instanceof CliError) {
    const auth = error.exitCode === ExitCode.authRequired;
    const login = `mcp-cli auth login ${server.name}`;
    const message = context.mask(error.message);
    if (auth && context.usesOAuth) return { message: message.includes(login) ? message : `${message}; run ${login}`, auth };
    return { message, ...(error.hint ? { hint: context.mask(error.hint) } : {}), auth };
  }
  // The store failed under a refresh (a Vault gone, a keychain locked): said as the store says it.
  // A locked store (the encrypted file's unlock session ended) needs the user, as a login does: exit 4.
  if (error instanceof StoreError) {
    const locked = error.kind === 'locked';
    const hint = error.remedy ?? (locked && error.backend === 'encrypted' ? 'run mcp-cli token unlock' : undefined);
    return { message: context.mask(error.message), ...(hint ? { hint: context.mask(hint) } : {}), auth: locked };
  }
  const err = (error ?? {}) as Error & { cause?: { message?: unknown } };
  const status = httpStatusOf(error) ?? context.authStatus;
  if (status === 401 || status === 403 || err.name === 'UnauthorizedError' || err.name === 'InsufficientScopeError')
    return authenticationFailure(server, status, context.usesOAuth);
  const era = eraFailure(server, error, where);
  if (era) return era;
  const text = context.mask(typeof err.message === 'string' ? err.message : String(error));
  if (status === 404 && context.sessionId !== undefined)
    return {
      message: `server '${server.name}' no longer knows this session (HTTP 404): it may have restarted`,
      hint: 'reconnect the server in the MCP client',
      auth: false,
    };
  if (status !== undefined) return { message: `server '${server.name}' (${where}) answered HTTP ${status}: ${text}`, auth: false };
  const code = context.tlsError ?? rootCauseCode(error);
  const tls =
    code !== undefined && entry.transport !== 'stdio'
      ? describeTlsFailure(code, server.entry.transport !== 'stdio' && server.entry.tls?.cert !== undefined)
      : undefined;
  if (tls) return { message: `server '${server.name}' (${where}) ${tls.message}`, hint: tls.hint, auth: tls.auth };
  if (code === 'ENOENT' && entry.transport === 'stdio')
    return { message: `cannot start server '${server.name}': ${where} not found`, hint: 'check "command" (and PATH)', auth: false };
  const problem = entry.transport === 'stdio' ? undefined : networkProblem(error, server.entry.transport === 'stdio' ? undefined : server.entry.url);
  if (problem) return { message: `cannot reach server '${server.name}' at ${where}: ${problem}`, auth: false };
  const cause = err.cause?.message;
  const detail = text === 'fetch failed' && typeof cause === 'string' ? `${text}: ${context.mask(cause)}` : text;
  return { message: `server '${server.name}' (${where}): ${detail}`, auth: false };
}
