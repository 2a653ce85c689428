import { join } from 'node:path';
import { CliError } from '../errors.js';
import { withFileLock } from '../fs/lock.js';
import { stateDir, type Env } from '../paths.js';
import type { TokenManager } from '../tokens/manager.js';
import { LoginRequiredError, scrub } from './errors.js';
import {
  deleteClient,
  deleteTokens,
  needsRefresh,
  readClient,
  readTokens,
  sameIssuer,
  tokensFromResponse,
  TOKENS_NAMESPACE,
  writeTokens,
  type SavedTokens,
} from './records.js';
import { checkEndpoints } from './provider.js';
import type { OAuthTarget } from './target.js';
import { policedFetch } from './url-policy.js';

/** Why a refresh grant was sent, as the audit log records it. */
export type RefreshTrigger = 'expiry' | 'unauthorized' | 'rotate' | 'validate';

export interface SessionOptions {
  target: OAuthTarget;
  manager: TokenManager;
  env: Env;
  now(): Date;
  /** Runs a new login when the tokens cannot be refreshed; absent when nobody can answer a browser. */
  relogin?: (hint: { resourceMetadataUrl?: URL }) => Promise<SavedTokens>;
}

const RELOGIN_INTERVAL_MS = 60_000;

/** The lock that serialises refreshes of one server's tokens across processes on this machine. */
export function refreshLockPath(env: Env, server: string): string {
  return join(stateDir(env), 'locks', `oauth-${server}.lock`);
}

/** Whether tokens issued for `resource` may be sent to `serverUrl`. */
export function tokenFitsServer(tokens: SavedTokens, serverUrl: string): boolean {
  if (!tokens.resource) return true;
  const resource = new URL(tokens.resource);
  const server = new URL(serverUrl);
  const path = resource.pathname.replace(/\/$/, '');
  return resource.origin === server.origin && (server.pathname === path || server.pathname.startsWith(`${path}/`) || path === '');
}

/**
 * One server's OAuth tokens for the length of a command: read from the store, refreshed
 * ahead of expiry or after a 401, always under a cross-process lock so that a rotating
 * refresh token is used exactly once however many processes find it expired together.
 */
export class OAuthSession {
  private current: SavedTokens | undefined;
  private loaded = false;
  /** When this session last logged in again: a 401 soon after is the server's fault, not the token's. */
  private reloggedAt: number | undefined;
  private pendingLogin: Promise<SavedTokens> | undefined;
  private lastLogin: SavedTokens | undefined;

  constructor(private readonly options: SessionOptions) {}

  private get name(): string {
    return this.options.target.name;
  }

  /** Whether tokens are stored for this server (they may be expired). */
  async hasTokens(): Promise<boolean> {
    return (await this.load()) !== undefined;
  }

  /** A token fit to send now: refreshed first if it expires within 60 s. Undefined when none is stored. */
  async accessToken(): Promise<string | undefined> {
    const tokens = await this.load();
    if (!tokens) return undefined;
    if (!needsRefresh(tokens, this.options.now())) return tokens.accessToken;
    try {
      return (await this.refreshUnderLock((stored) => needsRefresh(stored, this.options.now()), 'expiry')).accessToken;
    } catch (error) {
      // A refresh token that no longer works: log in again where one can, as after a 401.
      if (error instanceof LoginRequiredError && this.options.relogin) return this.relogin(error.message.replace(/; run mcp-cli.*$/, ''), {});
      throw error;
    }
  }

  /** Sends a refresh grant whatever the expiry, under the same lock: `token rotate --oauth`, or `token validate` proving the refresh token works. */
  async forceRefresh(trigger: Extract<RefreshTrigger, 'rotate' | 'validate'>): Promise<SavedTokens> {
    return this.refreshUnderLock(() => true, trigger);
  }

  /**
   * The server answered 401 to `rejected`: use a token another process stored meanwhile, else refresh
   * once, else log in again (interactive) or ask the user to (LoginRequiredError).
   */
  async afterUnauthorized(rejected: string | undefined, hint: { resourceMetadataUrl?: URL } = {}): Promise<string> {
    if (rejected === undefined) {
      // Read the store again: in a long session (mcp-cli run), the user may have logged in since it began.
      this.loaded = false;
      if (!(await this.load())) return this.relogin(`the server '${this.name}' requires an OAuth login, and none is stored`, hint);
    }
    if (this.justLoggedIn() && rejected === this.lastLogin?.accessToken)
      throw new CliError(
        `the server '${this.name}' rejected the token it just issued (HTTP 401)`,
        4,
        `check the server's OAuth configuration, then run mcp-cli auth login ${this.name}`,
      );
    try {
      return (await this.refreshUnderLock((stored) => stored.accessToken === rejected || needsRefresh(stored, this.options.now()), 'unauthorized')).accessToken;
    } catch (error) {
      if (error instanceof LoginRequiredError) return this.relogin(error.message.replace(/; run mcp-cli.*$/, ''), hint);
      throw error;
    }
  }

  /** At most one login a minute: a session that lasts hours may need a second one, a loop of them never. */
  private justLoggedIn(): boolean {
    return this.reloggedAt !== undefined && this.options.now().getTime() - this.reloggedAt < RELOGIN_INTERVAL_MS;
  }

  /**
   * Logs in again, once for all the requests that find the login dead together: those that arrive while
   * it runs, or just after it, get its token.
   */
  private async relogin(reason: string, hint: { resourceMetadataUrl?: URL }): Promise<string> {
    if (this.pendingLogin) return (await this.pendingLogin).accessToken;
    if (this.justLoggedIn() && this.lastLogin) return this.lastLogin.accessToken;
    if (!this.options.relogin || this.justLoggedIn()) throw new LoginRequiredError(this.name, reason);
    this.reloggedAt = this.options.now().getTime();
    this.pendingLogin = this.options.relogin(hint);
    try {
      this.current = this.lastLogin = await this.pendingLogin;
    } finally {
      this.pendingLogin = undefined;
    }
    this.loaded = true;
    this.reloggedAt = this.options.now().getTime();
    return this.current.accessToken;
  }

  private async load(): Promise<SavedTokens | undefined> {
    if (!this.loaded) {
      const tokens = await readTokens(this.options.manager, this.name);
      this.current = tokens && tokenFitsServer(tokens, this.options.target.url) ? tokens : undefined;
      this.loaded = true;
    }
    return this.current;
  }

  private async refreshUnderLock(stillStale: (stored: SavedTokens) => boolean, trigger: RefreshTrigger): Promise<SavedTokens> {
    const { manager, env } = this.options;
    this.current = await withFileLock(
      refreshLockPath(env, this.name),
      async () => {
        const stored = await readTokens(manager, this.name);
        if (!stored) throw new LoginRequiredError(this.name, `the OAuth tokens of '${this.name}' are gone`);
        if (!stillStale(stored)) return stored;
        return this.refresh(stored, trigger);
      },
      { timeoutMs: 60_000 },
    );
    return this.current;
  }

  private async refresh(stored: SavedTokens, trigger: RefreshTrigger): Promise<SavedTokens> {
    const { manager, now } = this.options;
    if (!stored.refreshToken) {
      await this.dropTokens('expired without a refresh token');
      throw new LoginRequiredError(this.name, `the OAuth access token of '${this.name}' expired and there is no refresh token`);
    }
    const { discoverAuthorizationServerMetadata, refreshAuthorization } = await import('@modelcontextprotocol/sdk/client/auth.js');
    const { InvalidClientError, InvalidGrantError, UnauthorizedClientError } = await import('@modelcontextprotocol/sdk/server/auth/errors.js');
    const client = await this.clientFor(stored);
    const fetchFn = policedFetch();
    const metadata = await discoverAuthorizationServerMetadata(stored.issuer, { fetchFn });
    if (!metadata || !sameIssuer(metadata.issuer, stored.issuer))
      throw new CliError(`cannot refresh the token of '${this.name}': the authorization server ${stored.issuer} no longer publishes its metadata`);
    checkEndpoints(this.name, metadata);
    try {
      const response = await refreshAuthorization(stored.issuer, {
        metadata,
        clientInformation: client,
        refreshToken: stored.refreshToken,
        resource: stored.resource ? new URL(stored.resource) : undefined,
        fetchFn,
      });
      const fresh = tokensFromResponse(response, stored.issuer, stored.resource, now(), client.client_id, stored.refreshToken);
      await writeTokens(manager, this.name, fresh);
      await manager.recordEvent('refreshed', { namespace: TOKENS_NAMESPACE, name: this.name }, { issuer: stored.issuer, trigger });
      return fresh;
    } catch (error) {
      // A login from before logins recorded their client: a refusal may be the client's, not the grant's, so nothing is deleted.
      if (
        stored.clientId === undefined &&
        (error instanceof InvalidGrantError || error instanceof InvalidClientError || error instanceof UnauthorizedClientError)
      )
        throw new LoginRequiredError(
          this.name,
          `the authorization server refused to refresh the login of '${this.name}' (made by an earlier version, which did not record its client)`,
        );
      if (error instanceof InvalidGrantError) {
        await this.dropTokens('invalid_grant');
        throw new LoginRequiredError(
          this.name,
          `the refresh token of '${this.name}' was refused (invalid_grant: revoked or expired); the stored tokens were removed`,
        );
      }
      // The refused client is the one the login was made with (clientFor sends no other): the login is dead.
      if (error instanceof InvalidClientError || error instanceof UnauthorizedClientError) {
        await this.dropTokens('client unknown to the authorization server');
        await deleteClient(manager, this.name, 'client unknown to the authorization server');
        throw new LoginRequiredError(
          this.name,
          `the authorization server no longer knows the client this login was made with; the stored tokens and registration were removed`,
        );
      }
      const message = scrub((error as Error).message, [stored.refreshToken, stored.accessToken]);
      throw new CliError(`refreshing the OAuth token of '${this.name}' at ${stored.issuer} failed: ${message}`);
    }
  }

  private async dropTokens(reason: string): Promise<void> {
    await deleteTokens(this.options.manager, this.name, reason);
  }

  /**
   * The client registration the login was made with, and no other: a different client in today's
   * config means logging in again, and the refresh token is never sent along with it.
   */
  private async clientFor(stored: SavedTokens) {
    const saved = await readClient(this.options.manager, this.name);
    const bound =
      saved && sameIssuer(saved.issuer, stored.issuer) && (stored.clientId === undefined || saved.information.client_id === stored.clientId)
        ? saved
        : undefined;
    if (!bound) throw new LoginRequiredError(this.name, `the client registration this login of '${this.name}' was made with is not stored`);
    const configured = this.options.target.oauth?.clientId;
    if (configured !== undefined && configured !== bound.information.client_id)
      throw new LoginRequiredError(
        this.name,
        `the config names the client '${configured}', not '${bound.information.client_id}' that the login of '${this.name}' was made with, so its refresh token was not sent`,
      );
    return bound.information;
  }
}
