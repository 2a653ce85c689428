// A failed connection in words, as the Vault client says it: "host not found", "connection
// refused", "TLS certificate ...", "timed out", never a bare `fetch failed` or `ENOTFOUND`.

interface Link {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error and its causes (and the errors of an AggregateError, as a connection to each address of a host gives), outermost first. */
function chain(error: unknown): Link[] {
  const links: Link[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && links.length < 12) {
    const e = queue.shift();
    if (!e || typeof e !== 'object') continue;
    const link = e as Link;
    links.push(link);
    queue.push(link.cause);
    if (Array.isArray(link.errors)) queue.push(...(link.errors as unknown[]));
  }
  return links;
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** What a TLS error code says of the certificate, or undefined for a code that is not about one. */
function certificateProblem(code: string): string | undefined {
  if (/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT|CERT_UNTRUSTED|DEPTH_ZERO_SELF_SIGNED/.test(code))
    return `TLS certificate not trusted (${code})`;
  if (code === 'CERT_HAS_EXPIRED') return `TLS certificate expired (${code})`;
  if (code === 'CERT_NOT_YET_VALID') return `TLS certificate not yet valid (${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS certificate is for another host name (${code})`;
  if (/SSL|TLS|CERT/.test(code)) return `TLS handshake failed (${code})`;
  return undefined;
}

function portOf(url: string | URL | undefined): string | undefined {
  if (url === undefined || !URL.canParse(String(url))) return undefined;
  return new URL(url).port || undefined;
}

/**
 * Why a request to `url` could not be made, in words; undefined when the error says nothing known.
 * `timeoutMs` is the limit the caller set, said with "timed out".
 */
export function networkProblem(error: unknown, url?: string | URL, timeoutMs?: number): string | undefined {
  const links = chain(error);
  const codes = links.map((l) => l.code).filter((c): c is string => typeof c === 'string');
  const within = timeoutMs !== undefined ? ` (no answer within ${timeoutMs / 1000} s)` : '';
  if (codes.includes('ENOTFOUND')) return 'host not found';
  if (codes.includes('EAI_AGAIN')) return 'host not found (the name lookup failed; check the network)';
  if (codes.includes('ECONNREFUSED')) return 'connection refused';
  if (codes.some((c) => TIMEOUT_CODES.has(c)) || links.some((l) => l.name === 'TimeoutError')) return `timed out${within}`;
  if (codes.includes('EHOSTUNREACH')) return 'host unreachable';
  if (codes.includes('ENETUNREACH')) return 'network unreachable';
  for (const code of codes) {
    const tls = certificateProblem(code);
    if (tls) return tls;
  }
  if (codes.includes('ECONNRESET') || codes.includes('UND_ERR_SOCKET')) return 'connection closed by the other side';
  // fetch refuses the ports of other protocols (1, 9, 25, 6000...) before connecting: https://fetch.spec.whatwg.org/#port-blocking
  if (links.some((l) => l.message === 'bad port')) {
    return `port ${portOf(url) ?? '?'} is blocked: fetch never connects to the ports of other protocols; use another port`;
  }
  return undefined;
}
