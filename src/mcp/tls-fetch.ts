import type { TlsSettings } from '../config/schema.js';

type Fetch = typeof fetch;

export interface TlsFetch {
  fetch: Fetch;
  /**
   * The code of the last TLS error a connection saw. With TLS 1.3 the server's alert (certificate
   * required, unknown CA) arrives after the handshake, and fetch reports only "other side closed".
   */
  lastTlsError(): string | undefined;
  close(): Promise<void>;
}

/**
 * A fetch whose connections present a client certificate and trust the given CA. The PEM texts go
 * straight from memory into the TLS context (undici's Agent), never through a file.
 */
export async function tlsFetch(tls: TlsSettings): Promise<TlsFetch> {
  const { loadUndici, routedLikeGlobal } = await import('../net/proxy-dispatcher.js');
  const { Agent, buildConnector, fetch: undiciFetch } = await loadUndici();
  const connection = {
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
  };
  const connector = buildConnector(connection);
  let lastError: string | undefined;
  const remember = (error: Error & { code?: unknown }) => {
    if (typeof error.code === 'string' && /SSL|TLS|CERT/.test(error.code)) lastError = error.code;
  };
  const direct = new Agent({
    connect: (options, callback) =>
      connector(options, (error, socket) => {
        if (error) remember(error);
        socket?.on('error', remember);
        callback(error as Error, socket as never);
      }),
  });
  const agent = routedLikeGlobal(connection, direct);
  const withAgent = ((input: Parameters<Fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent })) as unknown as Fetch;
  return { fetch: withAgent, lastTlsError: () => lastError, close: () => agent.destroy() };
}

/** Node's TLS error codes, turned into what the user should do about them. */
export function describeTlsFailure(code: string, hasClientCertificate: boolean): { message: string; hint: string; auth: boolean } | undefined {
  if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|ACCESS_DENIED/i.test(code)) {
    return hasClientCertificate
      ? {
          message: `refused the client certificate in the TLS handshake (${code})`,
          hint: 'check that the certificate in "tls" is the one the server expects, and that it has not expired',
          auth: true,
        }
      : {
          message: `requires a TLS client certificate (${code})`,
          hint: 'store one (mcp-cli token set NAME --type client-cert --cert FILE --key FILE) and reference it in the entry\'s "tls": see docs/config.md',
          auth: true,
        };
  }
  // Node's own HTTPS servers (and others) check the certificate after the handshake and just close the connection.
  if (code === 'UND_ERR_SOCKET' && hasClientCertificate)
    return {
      message: 'closed the connection without answering: it most likely refused the client certificate',
      hint: 'check that the certificate in "tls" is the one the server expects (signed by a CA it trusts)',
      auth: true,
    };
  if (/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT|CERT_UNTRUSTED|DEPTH_ZERO_SELF_SIGNED/i.test(code))
    return {
      message: `presented a certificate that is not trusted (${code})`,
      hint: 'give the CA that signed it in "tls.ca" (or NODE_EXTRA_CA_CERTS)',
      auth: false,
    };
  if (/ERR_TLS_CERT_ALTNAME_INVALID|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/i.test(code))
    return { message: `presented an unusable certificate (${code})`, hint: 'check the server address and its certificate', auth: false };
  return undefined;
}
