import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { proxiedAgent } from '../../net/tunnel-agent.js';
import type { StoreError } from '../errors.js';
import { fixedToken, vaultFailure, type TokenSource, type VaultConnection, type VaultToken } from './connection.js';
import { redact } from './redact.js';

export interface VaultResponse {
  status: number;
  /** The parsed JSON body; undefined for 204 or an empty body. */
  body: Record<string, unknown> | undefined;
}

export type VaultMethod = 'GET' | 'LIST' | 'POST' | 'DELETE';

export interface RequestOptions {
  /** Statuses returned to the caller instead of thrown. */
  pass?: readonly number[];
  timeoutMs?: number;
  /** `null` sends no token (a login); a string sends that token; by default the client's token source decides. */
  token?: string | null;
  /** Values sent in the body that Vault's answer may echo (a secret_id): never put in a message. */
  secrets?: readonly string[];
}

export interface ClientOptions {
  /** Per attempt. */
  timeoutMs?: number;
  /** Extra attempts after a 412, 429 or 503. */
  retries?: number;
  /** Most requests in flight at once (and sockets kept open). */
  concurrency?: number;
  /** First backoff delay; doubles with each retry. */
  backoffMs?: number;
}

const RETRIED = new Set([412, 429, 503]);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME|ALTNAME/;

/** Vault's error list (`{"errors":[...]}`), joined. Vault's messages name paths, never secret values. */
export function vaultErrors(body: Record<string, unknown> | undefined): string {
  const errors = Array.isArray(body?.errors) ? (body.errors as unknown[]).map(String).map((e) => e.trim()) : [];
  return errors.join('; ');
}

/** The Vault capability a request needs, for permission messages. */
function capabilityOf(method: VaultMethod): string {
  return method === 'GET' ? 'read' : method === 'LIST' ? 'list' : method === 'DELETE' ? 'delete' : 'create/update';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A small client for Vault's HTTP API on node:http(s): keep-alive sockets, a bound on
 * requests in flight, bounded retries of 412/429/503, and errors that say what went wrong
 * in words. The token travels only in the X-Vault-Token header and is never put in a message.
 * A 403 is shown to the token source once, so that a login can replace a token Vault no longer knows.
 */
export class VaultClient {
  private readonly agent: HttpAgent;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly limit: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** VAULT_ADDR taken apart once: a listing sends a request per token, and parsing a URL for each one shows. */
  private readonly target: { https: boolean; hostname: string; port: string; base: string };

  private tokens: TokenSource | undefined;

  constructor(
    readonly connection: VaultConnection,
    token: TokenSource | VaultToken | undefined,
    options: ClientOptions = {},
  ) {
    if (token) this.useTokens('value' in token ? fixedToken(token) : token);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 100;
    this.limit = options.concurrency ?? 32;
    const https = connection.address.toLowerCase().startsWith('https:');
    const url = new URL(connection.address);
    this.target = { https, hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port, base: url.pathname.replace(/\/+$/, '') };
    const { tls } = connection;
    this.agent = proxiedAgent(
      url,
      https
        ? { keepAlive: true, maxSockets: this.limit, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.verify }
        : { keepAlive: true, maxSockets: this.limit },
      (message, hint) => vaultFailure('unavailable', message, hint),
    );
  }

  /** Where the token of later requests comes from (a login session, which itself sends its logins through this client). */
  useTokens(tokens: TokenSource): void {
    this.tokens = tokens;
  }

  /** Closes idle keep-alive sockets so the process can exit promptly. */
  close(): void {
    this.agent.destroy();
  }

  /**
   * Sends one request to `/v1/<path>` (path segments already encoded). LIST goes out as
   * `GET ...?list=true`, which Vault treats as LIST. 404 is returned, not thrown: callers
   * decide what absence means, as they do for statuses in `pass`. Other failures throw a StoreError.
   */
  async request(method: VaultMethod, path: string, body?: unknown, options: RequestOptions = {}): Promise<VaultResponse> {
    let token = options.token === undefined ? await this.tokenSource().current() : options.token;
    let replaced = false;
    for (let attempt = 0; ;) {
      const sent = token;
      const response = await this.limited(() => this.send(method, path, body, sent, options.timeoutMs ?? this.timeoutMs));
      if (response.status === 403 && options.token === undefined && !replaced && sent !== null) {
        replaced = true;
        const fresh = await this.tokenSource().refused(sent);
        // Sent again with the new token; that is not one of the bounded retries.
        if (fresh !== undefined) {
          token = fresh;
          continue;
        }
      }
      if (options.pass?.includes(response.status)) return response;
      if (!RETRIED.has(response.status) || attempt >= this.retries) return this.check(method, path, response, attempt + 1, options.secrets ?? []);
      await sleep(this.delay(attempt, response));
      attempt++;
    }
  }

  private tokenSource(): TokenSource {
    if (!this.tokens) throw new Error('VaultClient: no token source');
    return this.tokens;
  }

  /** Runs `fn` for each item with at most `concurrency` requests in flight (the client's own bound applies too). */
  async map<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.limit, items.length) }, worker));
    return results;
  }

  describePath(path: string): string {
    return decodeURIComponent(path);
  }

  private delay(attempt: number, response: VaultResponse & { retryAfter?: string }): number {
    const retryAfter = Number(response.retryAfter);
    if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.min(retryAfter * 1000, 2000);
    return this.backoffMs * 2 ** attempt * (0.75 + Math.random() / 2);
  }

  /** A slot freed by a finished request passes straight to the next waiter, so the bound holds. */
  private async limited<R>(fn: () => Promise<R>): Promise<R> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  private check(method: VaultMethod, path: string, response: VaultResponse, attempts: number, secrets: readonly string[]): VaultResponse {
    const { status, body } = response;
    if ((status >= 200 && status < 300) || status === 404) return response;
    const where = this.describePath(path);
    const errors = redact(vaultErrors(body), secrets);
    const tried = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    const address = this.connection.address;
    if (status === 403)
      throw vaultFailure(
        'no-access',
        `Vault denied access to ${where}: permission denied; the Vault token's policy lacks '${capabilityOf(method)}' on this path`,
        `ask your Vault administrator for a policy granting create, read, update, delete and list on the mcp-cli paths (see docs/vault.md), or check that the token from ${this.tokens?.source ?? 'the login'} has not expired`,
      );
    if (status === 503 && /sealed/i.test(errors))
      throw vaultFailure('unavailable', `Vault at ${address} is sealed${tried}`, 'unseal it (`vault operator unseal`) or ask your Vault operator');
    if (status === 503) throw vaultFailure('unavailable', `Vault at ${address} is unavailable (503${errors ? `: ${errors}` : ''})${tried}`, 'try again later');
    if (status === 429)
      throw vaultFailure(
        'unavailable',
        `Vault at ${address} rate-limited the request for ${where} (429)${tried}`,
        'try again later, or ask your Vault operator about the rate limit quota',
      );
    if (status === 412)
      throw vaultFailure('unavailable', `Vault at ${address} could not serve ${where} consistently (412${errors ? `: ${errors}` : ''})${tried}`, 'try again');
    throw vaultFailure(status >= 500 ? 'unavailable' : 'no-access', `Vault rejected ${method} ${where} (${status}${errors ? `: ${errors}` : ''})`);
  }

  private send(method: VaultMethod, path: string, body: unknown, token: string | null, timeoutMs: number): Promise<VaultResponse & { retryAfter?: string }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: Record<string, string> = { 'X-Vault-Request': 'true', Accept: 'application/json' };
    if (token !== null) headers['X-Vault-Token'] = token;
    if (this.connection.namespace) headers['X-Vault-Namespace'] = this.connection.namespace;
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const { https, hostname, port, base } = this.target;
    const send = https ? httpsRequest : httpRequest;
    const target = { hostname, ...(port ? { port } : {}), path: `${base}/v1/${path}${method === 'LIST' ? '?list=true' : ''}` };
    return new Promise((resolve, reject) => {
      const req = send({ ...target, method: method === 'LIST' ? 'GET' : method, headers, agent: this.agent, timeout: timeoutMs }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (error) => reject(this.networkError(error)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = text.trim() === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
          } catch {
            reject(
              vaultFailure(
                'unavailable',
                `Vault at ${this.connection.address} answered ${res.statusCode} with a body that is not JSON`,
                'check that VAULT_ADDR points at Vault',
              ),
            );
            return;
          }
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, body: parsed, ...(typeof retryAfter === 'string' ? { retryAfter } : {}) });
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT', timeoutMs })));
      req.on('error', (error) => reject(this.networkError(error)));
      req.end(payload);
    });
  }

  private networkError(error: Error): StoreError {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const address = this.connection.address;
    if (code === 'ECONNREFUSED')
      return vaultFailure('unavailable', `cannot connect to Vault at ${address}: connection refused`, 'check VAULT_ADDR and that Vault is running');
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return vaultFailure('unavailable', `cannot connect to Vault at ${address}: host not found`, 'check VAULT_ADDR');
    if (code === 'ETIMEDOUT')
      return vaultFailure(
        'unavailable',
        `Vault at ${address} did not answer within ${((error as { timeoutMs?: number }).timeoutMs ?? this.timeoutMs) / 1000} s`,
        'check VAULT_ADDR and your network',
      );
    if (TLS_CODES.test(code) || /certificate|SSL|TLS/i.test(error.message))
      return vaultFailure(
        'unavailable',
        `TLS connection to Vault at ${address} failed: ${code || error.message}`,
        /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA_ALERT/.test(code)
          ? 'Vault requires a client certificate it trusts: set VAULT_CLIENT_CERT and VAULT_CLIENT_KEY'
          : /CERT|SELF_SIGNED|UNABLE_TO/.test(code)
            ? "set VAULT_CACERT (or tokenStorage.vault.caCert) to the CA certificate that signed Vault's certificate"
            : 'check that VAULT_ADDR uses the scheme (http/https) Vault listens with',
      );
    if (code === 'ECONNRESET' || code === 'EPIPE')
      return vaultFailure(
        'unavailable',
        `the connection to Vault at ${address} was reset (${code})`,
        'check that VAULT_ADDR uses the scheme (http/https) Vault listens with',
      );
    return vaultFailure('unavailable', `cannot talk to Vault at ${address}: ${code || error.message}`);
  }
}
