import { join } from 'node:path';
import { CliError, ExitCode } from '../errors.js';
import { withFileLock } from '../fs/lock.js';
import { stateDir, type Env } from '../paths.js';
import type { TokenManager } from '../tokens/manager.js';
import { LoginRequiredError, scrub } from './errors.js';
import { printable } from '../io/terminal-text.js';
import type { DpopKey } from './dpop.js';
import {
  deleteClient,
  deleteTokens,
  needsRefresh,
  readClient,
  readTokens,
  sameIssuer,
  senderConstrained,
  tokensFromResponse,
  TOKENS_NAMESPACE,
  writeTokens,
  type SavedTokens,
} from './records.js';
import { authorizationServersNamed, checkEndpoints, issuerMetadata, metadataNamesIssuer } from './discovery.js';
import { scopesHeld, scopeUnion } from './scopes.js';
import { grantsItself, loginName, type OAuthTarget } from './target.js';
import { policedFetch } from './url-policy.js';

/** Why a refresh grant (or, for client credentials, a new grant) was sent, as the audit log records it. */
export type RefreshTrigger = 'expiry' | 'unauthorized' | 'rotate' | 'validate' | 'step-up';

/** What a server's WWW-Authenticate challenge says: where its protected resource metadata is, and the scope it asks for. */
export interface Challenge {
  resourceMetadataUrl?: URL;
  scope?: string;
}

/** What a new login is for: where the 401 pointed and the scope it named; for a step-up, the scopes to ask for. */
export interface ReloginRequest {
  resourceMetadataUrl?: URL;
  /** The `scope` of the 401's challenge: asked for unless the user set scopes (MCP scope selection). */
  challengeScope?: string;
  scope?: string;
  stepUp?: boolean;
}

export interface SessionOptions {
  target: OAuthTarget;
  manager: TokenManager;
  env: Env;
  /** Where a workload's JWT is read from a program (how it is started); default this process's platform. */
  platform?: NodeJS.Platform;
  now(): Date;
  /** Runs a new login when the tokens cannot be refreshed, or for more scopes; absent when nobody can answer a browser. */
  relogin?: (request: ReloginRequest) => Promise<SavedTokens>;
  /**
   * `relogin` serves step-ups only: a missing or dead login ends with the command to run. So it is for
   * `call` and `tools` where a browser can be opened but no terminal waits for one (a script).
   */
  reloginForStepUpOnly?: boolean;
}

const RELOGIN_INTERVAL_MS = 60_000;
/** Step-ups one session may make, and the longest scope a challenge may ask for (a server could name new ones forever). */
const MAX_STEP_UPS = 2;
const MAX_CHALLENGED_SCOPE_CHARS = 1024;

/** A login after a 401: where its challenge pointed, and the scope it named. */
function reloginRequest(challenge: Challenge): ReloginRequest {
  return {
    ...(challenge.resourceMetadataUrl ? { resourceMetadataUrl: challenge.resourceMetadataUrl } : {}),
    ...(challenge.scope ? { challengeScope: challenge.scope } : {}),
  };
}

/** The lock that serialises refreshes of one server's tokens across processes on this machine. */
export function refreshLockPath(env: Env, server: string): string {
  return join(stateDir(env), 'locks', `oauth-${server}.lock`);
}

/** Whether tokens issued for `resource` (or, without one, obtained for the server at `server`) may be sent to `serverUrl`. */
export function tokenFitsServer(tokens: SavedTokens, serverUrl: string): boolean {
  const bound = tokens.resource ?? tokens.server;
  if (!bound) return true;
  const resource = new URL(bound);
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
  /** The scope sets this session has stepped up to: each at most once, so that a server that keeps refusing ends the session's tries. */
  private readonly steppedUp = new Set<string>();
  /** DPoP keys read from the store, by their stored text. */
  private readonly dpopKeys = new Map<string, DpopKey>();

  constructor(private readonly options: SessionOptions) {
    // Locked under a long session: the access token in use stays, the refresh token goes (a refresh reads the store again anyway).
    options.manager.onLocked(() => {
      if (this.current) this.current = { ...this.current, refreshToken: undefined };
      if (this.lastLogin) this.lastLogin = { ...this.lastLogin, refreshToken: undefined };
    });
  }

  private get name(): string {
    return this.options.target.name;
  }

  /** What is missing when nothing is stored: a named account says which. */
  private get noLogin(): string {
    const { account } = this.options.target;
    return account === undefined ? 'none is stored' : printable(`no login for its account '${account}' is stored`);
  }

  /** Where this login is stored: the server's name, or `SERVER@ACCOUNT` for a named account. */
  private get key(): string {
    return loginName(this.options.target);
  }

  /** Tokens come from a new grant whenever they are missing or expire, never from a user (client credentials, a workload's JWT, the identity provider). */
  private get clientCredentials(): boolean {
    return grantsItself(this.options.target.oauth);
  }

  /** Whether tokens are stored for this server (they may be expired). */
  async hasTokens(): Promise<boolean> {
    return (await this.load()) !== undefined;
  }

  /** A token fit to send now: refreshed first if it expires within 60 s. Undefined when none is stored. */
  async accessToken(): Promise<string | undefined> {
    const tokens = await this.load();
    if (this.clientCredentials) {
      const stale = (stored: SavedTokens | undefined) => !stored || needsRefresh(stored, this.options.now()) || this.unboundWhereRequired(stored);
      if (!stale(tokens)) return tokens!.accessToken;
      return (await this.grantUnderLock(stale, 'expiry')).accessToken;
    }
    if (!tokens) return undefined;
    if (this.unboundWhereRequired(tokens))
      throw new LoginRequiredError(this.options.target, `oauth.dpop of '${this.name}' is true, and its login is not bound to a DPoP key`);
    if (!needsRefresh(tokens, this.options.now())) return tokens.accessToken;
    try {
      return (await this.refreshUnderLock((stored) => needsRefresh(stored, this.options.now()), 'expiry')).accessToken;
    } catch (error) {
      // A refresh token that no longer works: log in again where one can, as after a 401.
      if (error instanceof LoginRequiredError && this.options.relogin) return this.relogin(error.message.replace(/; run mcp-cli.*$/, ''), {});
      throw error;
    }
  }

  /** Tokens from before `oauth.dpop` was set to true: not to be sent any more. */
  private unboundWhereRequired(tokens: SavedTokens): boolean {
    return this.options.target.oauth?.dpop === true && !senderConstrained(tokens);
  }

  /**
   * The key a token this session handed out is bound to, for the proof that goes with it; undefined for
   * a Bearer token. A token that is no longer the session's (replaced meanwhile) goes without one.
   */
  async dpopKeyFor(token: string): Promise<DpopKey | undefined> {
    const tokens = [this.current, this.lastLogin].find((t) => t?.accessToken === token);
    if (!tokens || !senderConstrained(tokens)) return undefined;
    return this.dpopKey(tokens.dpop!.key);
  }

  private async dpopKey(stored: string): Promise<DpopKey> {
    let key = this.dpopKeys.get(stored);
    if (!key) {
      const { readDpopKey } = await import('./dpop.js');
      key = readDpopKey(stored, this.name);
      this.dpopKeys.set(stored, key);
    }
    return key;
  }

  /** Sends a refresh grant whatever the expiry, under the same lock: `token rotate --oauth`, or `token validate` proving the refresh token works. */
  async forceRefresh(trigger: Extract<RefreshTrigger, 'rotate' | 'validate'>): Promise<SavedTokens> {
    return this.clientCredentials ? this.grantUnderLock(() => true, trigger) : this.refreshUnderLock(() => true, trigger);
  }

  /**
   * The server answered 401 to `rejected`: use a token another process stored meanwhile, else refresh
   * once, else log in again (interactive) or ask the user to (LoginRequiredError). A server whose
   * protected resource metadata now names another authorization server gets a new login there: the
   * old one's refresh token and client are not used (SEP-2352).
   */
  async afterUnauthorized(rejected: string | undefined, hint: Challenge = {}): Promise<string> {
    if (this.clientCredentials) {
      if (this.justLoggedIn() && rejected === this.lastLogin?.accessToken)
        throw new CliError(
          `the server '${this.name}' rejected the token its authorization server just issued (HTTP 401)`,
          4,
          `check the server's OAuth configuration`,
        );
      const fresh = await this.grantUnderLock(
        (stored) => !stored || stored.accessToken === rejected || needsRefresh(stored, this.options.now()),
        'unauthorized',
        reloginRequest(hint),
      );
      return this.noteLogin(fresh).accessToken;
    }
    if (rejected === undefined) {
      // Read the store again: in a long session (mcp-cli run), the user may have logged in since it began.
      this.loaded = false;
      if (!(await this.load())) return this.relogin(`the server '${this.name}' requires an OAuth login, and ${this.noLogin}`, hint);
    }
    const moved = await this.movedFrom(this.current, hint);
    if (moved) return this.relogin(moved, hint);
    if (this.justLoggedIn() && rejected === this.lastLogin?.accessToken)
      throw new CliError(
        `the server '${this.name}' rejected the token it just issued (HTTP 401)`,
        4,
        `check the server's OAuth configuration, then run mcp-cli auth login ${this.name}${this.options.target.account !== undefined ? ` --account ${this.options.target.account}` : ''}`,
      );
    try {
      return (await this.refreshUnderLock((stored) => stored.accessToken === rejected || needsRefresh(stored, this.options.now()), 'unauthorized')).accessToken;
    } catch (error) {
      if (error instanceof LoginRequiredError) return this.relogin(error.message.replace(/; run mcp-cli.*$/, ''), hint);
      throw error;
    }
  }

  /**
   * Why the login no longer applies, when the server's protected resource metadata names authorization
   * servers and the one that issued the tokens is not among them; undefined when it still is (or the
   * server publishes none).
   */
  private async movedFrom(tokens: SavedTokens | undefined, hint: Challenge): Promise<string | undefined> {
    if (!tokens) return undefined;
    const named = await authorizationServersNamed(this.options.target, hint.resourceMetadataUrl);
    if (!named?.length || named.some((issuer) => sameIssuer(issuer, tokens.issuer))) return undefined;
    return printable(`'${this.name}' now names the authorization server ${named[0]}, not ${tokens.issuer} that its login was made with`);
  }

  /** At most one login a minute: a session that lasts hours may need a second one, a loop of them never. */
  private justLoggedIn(): boolean {
    return this.reloggedAt !== undefined && this.options.now().getTime() - this.reloggedAt < RELOGIN_INTERVAL_MS;
  }

  /**
   * Logs in again, once for all the requests that find the login dead together: those that arrive while
   * it runs, or just after it, get its token.
   */
  private async relogin(reason: string, hint: Challenge): Promise<string> {
    if (this.pendingLogin) return (await this.pendingLogin).accessToken;
    if (this.justLoggedIn() && this.lastLogin) return this.lastLogin.accessToken;
    if (!this.options.relogin || this.options.reloginForStepUpOnly || this.justLoggedIn()) throw new LoginRequiredError(this.options.target, reason);
    return (await this.runLogin(this.options.relogin, reloginRequest(hint))).accessToken;
  }

  /** Runs one login, which the requests that arrive meanwhile share. */
  private async runLogin(relogin: NonNullable<SessionOptions['relogin']>, request: ReloginRequest): Promise<SavedTokens> {
    this.reloggedAt = this.options.now().getTime();
    this.pendingLogin = relogin(request);
    try {
      return this.noteLogin(await this.pendingLogin);
    } finally {
      this.pendingLogin = undefined;
    }
  }

  /** Tokens this session just obtained: used from now on, and a 401 for them soon after is the server's fault. */
  private noteLogin(tokens: SavedTokens): SavedTokens {
    this.current = this.lastLogin = tokens;
    this.loaded = true;
    this.reloggedAt = this.options.now().getTime();
    return tokens;
  }

  /**
   * The server answered 403 `insufficient_scope` to `rejected` (MCP step-up authorization): a new
   * authorization for the union of the scopes granted and those the challenge names (SEP-2350), by a
   * new login (where one can be started; else exit 4 naming the command with `--scope`) or, for client
   * credentials, a new grant. Each scope set at most once and at most two in a session, and a token
   * that holds the scope asked for ends it, so that a server that keeps refusing ends with an error.
   */
  async afterInsufficientScope(rejected: string, challenged: string | undefined, hint: Challenge): Promise<string> {
    const refused = (detail: string) =>
      new CliError(
        `the server '${this.name}' answers HTTP 403 insufficient_scope${challenged ? ` for the scope "${challenged}"` : ''} ${detail}`,
        1,
        "check the server's scopes with its administrator; logging in again does not change this",
      );
    if (!challenged) throw refused('without naming a scope, so a new authorization cannot know what to ask for');
    if (challenged.length > MAX_CHALLENGED_SCOPE_CHARS) throw refused('with a scope too long to ask for');
    // Requests refused together share one new authorization.
    const pending = this.pendingLogin;
    if (pending) {
      const fresh = await pending;
      if (scopesHeld(fresh.scope, challenged)) return fresh.accessToken;
    }
    const current = await this.load();
    if (current && scopesHeld(current.scope, challenged)) {
      // A token obtained since the request was sent may be the answer; the one refused was issued with the scope.
      if (current.accessToken !== rejected) return current.accessToken;
      throw refused('though its token was issued with that scope');
    }
    const wanted = scopeUnion(current?.scope, challenged)!;
    if (this.steppedUp.has(wanted)) throw refused('again, after a new authorization for it in this session');
    // A server naming a new scope on every answer would otherwise get a login (a browser) for each.
    if (this.steppedUp.size >= MAX_STEP_UPS) throw refused(`after ${MAX_STEP_UPS} new authorizations in this session`);
    this.steppedUp.add(wanted);
    const request = { ...(hint.resourceMetadataUrl ? { resourceMetadataUrl: hint.resourceMetadataUrl } : {}), scope: wanted, stepUp: true };
    let fresh: SavedTokens;
    if (this.clientCredentials) fresh = this.noteLogin(await this.grantUnderLock(() => true, 'step-up', request));
    else if (!this.options.relogin)
      throw new LoginRequiredError(
        this.options.target,
        `the server '${this.name}' needs the scope "${challenged}", which the login lacks (HTTP 403 insufficient_scope)`,
        wanted,
      );
    else fresh = await this.runLogin(this.options.relogin, request);
    if (!scopesHeld(fresh.scope, challenged))
      throw new CliError(
        `the authorization server granted ${fresh.scope ? `only "${fresh.scope}"` : 'no scope it named'}, not the scope "${challenged}" that '${this.name}' asks for`,
        ExitCode.authRequired,
      );
    return fresh.accessToken;
  }

  private async load(): Promise<SavedTokens | undefined> {
    if (!this.loaded) {
      const tokens = await readTokens(this.options.manager, this.key);
      this.current = tokens && tokenFitsServer(tokens, this.options.target.url) ? tokens : undefined;
      this.loaded = true;
    }
    return this.current;
  }

  /** A new grant (grantsItself) under the refresh lock, unless another process stored fresh tokens meanwhile. */
  private async grantUnderLock(
    stillStale: (stored: SavedTokens | undefined) => boolean,
    trigger: RefreshTrigger,
    request: ReloginRequest = {},
  ): Promise<SavedTokens> {
    const { manager, env, target, now, platform = process.platform } = this.options;
    const { selfGrant } = await import('./self-grant.js');
    this.current = await withFileLock(
      refreshLockPath(env, this.key),
      async () => {
        const found = await readTokens(manager, this.key);
        const stored = found && tokenFitsServer(found, target.url) ? found : undefined;
        if (stored && !stillStale(stored)) return stored;
        return selfGrant({
          target,
          manager,
          env,
          platform,
          now,
          trigger,
          ...(stored ? { previous: stored } : {}),
          ...(request.scope !== undefined ? { scope: request.scope } : {}),
          ...(request.stepUp ? { stepUp: true } : {}),
          ...(request.resourceMetadataUrl ? { resourceMetadataUrl: request.resourceMetadataUrl } : {}),
          ...(request.challengeScope !== undefined ? { challengeScope: request.challengeScope } : {}),
        });
      },
      { timeoutMs: 60_000 },
    );
    this.loaded = true;
    return this.current;
  }

  private async refreshUnderLock(stillStale: (stored: SavedTokens) => boolean, trigger: RefreshTrigger): Promise<SavedTokens> {
    const { manager, env } = this.options;
    this.current = await withFileLock(
      refreshLockPath(env, this.key),
      async () => {
        const stored = await readTokens(manager, this.key);
        if (!stored) throw new LoginRequiredError(this.options.target, `the OAuth tokens of '${this.name}' are gone`);
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
      throw new LoginRequiredError(this.options.target, `the OAuth access token of '${this.name}' expired and there is no refresh token`);
    }
    const { refreshAuthorization, OAuthError, OAuthErrorCode } = await import('@modelcontextprotocol/client');
    const refusedWith = (error: unknown, ...codes: string[]) => error instanceof OAuthError && codes.includes(error.code);
    const client = await this.clientFor(stored);
    // A login bound to a key refreshes with it: a public client's refresh token is bound to it too (RFC 9449 section 5).
    const fetchFn = stored.dpop ? (await import('./dpop-fetch.js')).dpopTokenFetch(await this.dpopKey(stored.dpop.key), policedFetch()) : policedFetch();
    const metadata = await issuerMetadata(stored.issuer, stored.resource ?? stored.server ?? this.options.target.url);
    if (!metadata || !metadataNamesIssuer(stored.issuer, metadata.issuer))
      throw new CliError(`cannot refresh the token of '${this.name}': the authorization server ${stored.issuer} no longer publishes its metadata`);
    checkEndpoints(this.name, metadata);
    // The resource the login was bound to, unless the config now leaves it out (an authorization server that refuses it).
    const resource = this.options.target.oauth?.resource === false ? undefined : stored.resource;
    try {
      const response = await refreshAuthorization(stored.issuer, {
        metadata,
        clientInformation: client,
        refreshToken: stored.refreshToken,
        ...(resource !== undefined ? { resource } : {}),
        fetchFn,
      });
      const fresh = tokensFromResponse(response, {
        issuer: stored.issuer,
        resource,
        server: stored.server ?? this.options.target.url,
        name: this.name,
        now: now(),
        clientId: client.client_id,
        grant: stored.grant,
        previous: stored,
        ...(stored.dpop ? { dpop: stored.dpop } : {}),
        dpopRequired: this.options.target.oauth?.dpop === true,
      });
      await writeTokens(manager, this.key, fresh);
      await manager.recordEvent('refreshed', { namespace: TOKENS_NAMESPACE, name: this.key }, { issuer: stored.issuer, trigger });
      return fresh;
    } catch (error) {
      // A login from before logins recorded their client: a refusal may be the client's, not the grant's, so nothing is deleted.
      if (stored.clientId === undefined && refusedWith(error, OAuthErrorCode.InvalidGrant, OAuthErrorCode.InvalidClient, OAuthErrorCode.UnauthorizedClient))
        throw new LoginRequiredError(
          this.options.target,
          `the authorization server refused to refresh the login of '${this.name}' (made by an earlier version, which did not record its client)`,
        );
      if (refusedWith(error, OAuthErrorCode.InvalidGrant)) {
        await this.dropTokens('invalid_grant');
        throw new LoginRequiredError(
          this.options.target,
          `the refresh token of '${this.name}' was refused (invalid_grant: revoked or expired); the stored tokens were removed`,
        );
      }
      // The refused client is the one the login was made with (clientFor sends no other): the login is dead.
      if (refusedWith(error, OAuthErrorCode.InvalidClient, OAuthErrorCode.UnauthorizedClient)) {
        await this.dropTokens('client unknown to the authorization server');
        await deleteClient(manager, this.key, 'client unknown to the authorization server');
        throw new LoginRequiredError(
          this.options.target,
          `the authorization server no longer knows the client this login was made with; the stored tokens and registration were removed`,
        );
      }
      const message = printable(scrub((error as Error).message, [stored.refreshToken, stored.accessToken, client.client_secret]));
      throw new CliError(`refreshing the OAuth token of '${this.name}' at ${stored.issuer} failed: ${message}`);
    }
  }

  private async dropTokens(reason: string): Promise<void> {
    await deleteTokens(this.options.manager, this.key, reason);
  }

  /**
   * The client registration the login was made with, and no other: a different client in today's
   * config means logging in again, and the refresh token is never sent along with it.
   */
  private async clientFor(stored: SavedTokens) {
    const saved = await readClient(this.options.manager, this.key);
    const bound =
      saved && sameIssuer(saved.issuer, stored.issuer) && (stored.clientId === undefined || saved.information.client_id === stored.clientId)
        ? saved
        : undefined;
    if (!bound) throw new LoginRequiredError(this.options.target, `the client registration this login of '${this.name}' was made with is not stored`);
    const configured = this.options.target.oauth?.clientId;
    if (configured !== undefined && configured !== bound.information.client_id)
      throw new LoginRequiredError(
        this.options.target,
        `the config names the client '${configured}', not '${bound.information.client_id}' that the login of '${this.name}' was made with, so its refresh token was not sent`,
      );
    return bound.information;
  }
}
