import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import type { LoginMethod } from './auth.js';
import { vaultErrors, type VaultClient, type VaultResponse } from './client.js';
import { vaultFailure, type TokenSource } from './connection.js';
import { vaultPath } from './engine.js';
import { redact } from './redact.js';

/** setTimeout's longest delay; a longer lease is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A failed login is not tried again sooner: a wrong secret or a stale JWT never becomes a storm of logins. */
const LOGIN_RETRY_MS = 30_000;

interface Lease {
  token: string;
  /** Seconds Vault gave at the last login or renewal; 0 for a token that does not expire. */
  seconds: number;
  renewable: boolean;
  /** When it ends, in ms since the epoch; Infinity when it does not. */
  endsAt: number;
  /** The last renewal gave less than the one before: the max TTL is near, so the next step is a new login. */
  capped: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A Vault token from a login (AppRole, JWT, Kubernetes), kept in memory only unless the user named a
 * `tokenFile`. It is renewed at 2/3 of its lease, as Vault's own lifetime watcher does, and replaced by a new
 * login when it cannot be renewed (not renewable, max TTL reached, refused). The timer does not hold the
 * process open: a short command ends as before, a long `run` bridge keeps a working token for hours.
 */
export class LoginSession implements TokenSource {
  readonly source: string;
  private lease: Lease | undefined;
  private pending: Promise<Lease> | undefined;
  private failure: { error: unknown; at: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private keptTokenTried = false;
  private readonly checks = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly client: VaultClient,
    private readonly login: LoginMethod,
    private readonly now: () => number = Date.now,
  ) {
    this.source = login.description;
  }

  async current(): Promise<string> {
    const lease = this.lease;
    if (lease && lease.endsAt > this.now()) return lease.token;
    return (await this.fresh()).token;
  }

  refused(token: string): Promise<string | undefined> {
    if (this.lease && this.lease.token !== token) return Promise.resolve(this.lease.token);
    // Many requests refused at once wait for one check.
    let verdict = this.checks.get(token);
    if (!verdict) {
      verdict = this.check(token).finally(() => this.checks.delete(token));
      this.checks.set(token, verdict);
    }
    return verdict;
  }

  /** A policy without the path answers 403 as well: only a token Vault no longer accepts is replaced. */
  private async check(token: string): Promise<string | undefined> {
    const self = await this.client.request('GET', 'auth/token/lookup-self', undefined, { token, pass: [400, 403] });
    if (self.status === 200) return undefined;
    if (this.lease && this.lease.token !== token) return this.lease.token;
    if (this.lease) this.forget();
    return (await this.fresh()).token;
  }

  private forget(): void {
    this.lease = undefined;
    clearTimeout(this.timer);
  }

  /** One login at a time, however many requests wait for it. */
  private fresh(): Promise<Lease> {
    this.pending ??= this.obtain().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async obtain(): Promise<Lease> {
    if (this.failure && this.now() - this.failure.at < LOGIN_RETRY_MS) throw this.failure.error;
    try {
      const lease = (await this.keptToken()) ?? (await this.logIn());
      this.failure = undefined;
      this.lease = lease;
      this.schedule(lease);
      return lease;
    } catch (error) {
      this.failure = { error, at: this.now() };
      throw error;
    }
  }

  /** The token a previous command kept in `tokenFile`, while Vault still accepts it. */
  private async keptToken(): Promise<Lease | undefined> {
    const file = this.login.tokenFile;
    if (!file || this.keptTokenTried) return undefined;
    this.keptTokenTried = true;
    const token = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (token === '') return undefined;
    const self = await this.client.request('GET', 'auth/token/lookup-self', undefined, { token, pass: [400, 403] });
    const data = self.status === 200 && isObject(self.body?.data) ? self.body.data : undefined;
    if (!data || typeof data.ttl !== 'number') return undefined;
    // A ttl of 0 with an expire time means it has just run out; without one, the token does not expire.
    if (data.ttl <= 0 && data.expire_time) return undefined;
    return this.leaseOf(token, data.ttl, data.renewable === true);
  }

  private async logIn(): Promise<Lease> {
    const { body, secrets } = await this.login.credentials(this.now());
    const path = `auth/${vaultPath(this.login.mount)}/login`;
    const response = await this.client.request('POST', path, body, { token: null, pass: [400, 401, 403, 404, 405], secrets });
    if (response.status !== 200) throw this.refusal(path, response, secrets);
    const auth = response.body?.auth;
    if (!isObject(auth) || typeof auth.client_token !== 'string' || auth.client_token === '' || typeof auth.lease_duration !== 'number')
      throw vaultFailure('unavailable', `Vault at ${this.client.connection.address} answered the login at ${path} without a client token`);
    const lease = this.leaseOf(auth.client_token, auth.lease_duration, auth.renewable === true);
    if (this.login.tokenFile) await writeFileAtomic(this.login.tokenFile, `${lease.token}\n`, this.login.tokenFile);
    return lease;
  }

  private refusal(path: string, response: VaultResponse, secrets: string[]) {
    const address = this.client.connection.address;
    const errors = redact(vaultErrors(response.body), secrets);
    if (response.status === 404 || response.status === 405)
      return vaultFailure(
        'invalid-setting',
        `Vault at ${address} has no ${this.login.method} auth method at auth/${this.login.mount}/ (${response.status}${errors ? `: ${errors}` : ''})`,
        `set tokenStorage.vault.auth.mount to the path the method is enabled at (\`vault auth list\` shows it)`,
      );
    return vaultFailure('no-access', `Vault at ${address} refused the login at ${path} (${response.status}${errors ? `: ${errors}` : ''})`, this.login.remedy);
  }

  private leaseOf(token: string, seconds: number, renewable: boolean): Lease {
    return { token, seconds, renewable, endsAt: seconds > 0 ? this.now() + seconds * 1000 : Infinity, capped: false };
  }

  private schedule(lease: Lease, delay = ((lease.endsAt - this.now()) * 2) / 3): void {
    clearTimeout(this.timer);
    if (!Number.isFinite(lease.endsAt)) return;
    this.timer = setTimeout(() => void this.maintain(lease), Math.min(MAX_TIMER_MS, Math.max(0, delay)));
    this.timer.unref();
  }

  /** At 2/3 of the lease: renew, or log in anew while the old token still works. */
  private async maintain(lease: Lease): Promise<void> {
    if (this.lease !== lease) return;
    if (lease.renewable && !lease.capped) {
      let renewed: Lease | undefined;
      try {
        renewed = await this.renew(lease);
      } catch {
        // Vault out of reach for now: try again halfway through what is left; after that the next use logs in.
        const left = lease.endsAt - this.now();
        if (left > 2000) this.schedule(lease, left / 2);
        return;
      }
      if (renewed) {
        this.lease = renewed;
        this.schedule(renewed);
        return;
      }
    }
    // A failure is kept for the next use to report; nothing here may throw into the event loop.
    await this.fresh().catch(() => undefined);
  }

  /** The renewed lease, or undefined when Vault will not renew this token (not renewable, expired, revoked). */
  private async renew(lease: Lease): Promise<Lease | undefined> {
    const response = await this.client.request('POST', 'auth/token/renew-self', undefined, { token: lease.token, pass: [400, 403] });
    const auth = response.status === 200 ? response.body?.auth : undefined;
    if (!isObject(auth) || typeof auth.lease_duration !== 'number' || auth.lease_duration <= 0) return undefined;
    return { ...this.leaseOf(lease.token, auth.lease_duration, auth.renewable !== false), capped: auth.lease_duration < lease.seconds };
  }
}
