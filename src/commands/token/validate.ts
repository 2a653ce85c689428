import type { Ctx } from '../../context.js';
import { CliError, ExitCode } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import type { ServerConfig } from '../../config/schema.js';
import { LoginRequiredError } from '../../oauth/errors.js';
import { savedTokensOf, TOKENS_NAMESPACE } from '../../oauth/records.js';
import type { TokenManager } from '../../tokens/manager.js';
import { isExpired, keyOf, primaryValue, type TokenMetadata } from '../../tokens/model.js';
import { checkProviderKey, providerTarget } from '../../validation/providers.js';
import { overallResult, TOKEN_RESULTS, type Check, type TokenResult } from '../../validation/report.js';
import { forceRefreshLogin } from '../../services/oauth-refresh.js';
import { formatTime, tableOutput } from '../shared/present.js';
import type { Tone } from '../../io/style.js';
import { asCliError } from '../shared/store-errors.js';
import { checkServer, serversByToken } from './validate-servers.js';

export interface ValidateOptions {
  namespace?: string;
  all?: boolean;
  json?: boolean;
}

/** The documented `--json` shape of one token's validation (docs/lifecycle.md). */
export interface TokenValidation {
  name: string;
  namespace: string;
  type: string;
  provider: string | null;
  expiresAt: string | null;
  result: TokenResult;
  checks: Check[];
}

const DEFAULT_TIMEOUT_MS = 10_000;

interface Run {
  ctx: Ctx;
  manager: TokenManager;
  config: ServerConfig | undefined;
  servers: Map<string, string[]>;
  /** One connection per server, however many of its tokens are validated. */
  serverChecks: Map<string, Promise<Omit<Check, 'check'>>>;
}

/** Proves that the refresh token works (for client credentials, the client's credentials): one grant, sent as `token rotate --oauth` sends it. */
async function refreshCheck(run: Run, metadata: TokenMetadata): Promise<Check> {
  const { ctx, manager } = run;
  const stored = await manager.read(metadata, 'validated');
  const saved = stored && savedTokensOf(stored);
  const result = (r: Check['result'], detail: string, target: string | null = saved?.issuer ?? null): Check => ({
    check: 'oauth-refresh',
    target,
    result: r,
    detail,
  });
  if (!saved) return result('skipped', 'not an OAuth login made by mcp-cli (no issuer): cannot refresh');
  const clientCredentials = saved.grant === 'client_credentials';
  if (!saved.refreshToken && !clientCredentials) return result('skipped', 'no refresh token was issued');
  try {
    const fresh = await forceRefreshLogin(ctx, metadata.name, saved, 'validate');
    const what = clientCredentials ? 'a new client credentials grant succeeded' : 'refreshed';
    return result('passed', `${what}${fresh.expiresAt ? `; the new access token expires at ${fresh.expiresAt}` : ''}`);
  } catch (error) {
    if (error instanceof LoginRequiredError) return result('rejected', error.message);
    const known = asCliError(error);
    // A client whose credentials the authorization server refused (exit 4) is rejected, as a refused refresh token is.
    if (known) return result(known.exitCode === ExitCode.authRequired ? 'rejected' : 'error', known.message);
    throw error;
  }
}

async function providerCheck(run: Run, metadata: TokenMetadata): Promise<Check | undefined> {
  if (metadata.type !== 'api-key') return undefined;
  const target = providerTarget(metadata.provider ?? metadata.name, run.config?.tokenValidation.providers ?? {});
  if (!target) return undefined;
  const stored = await run.manager.read(metadata, 'validated');
  const key = stored && primaryValue(stored);
  if (!key) return { check: 'provider', target: target.provider, result: 'error', detail: 'the token has no key' };
  return checkProviderKey(target, key, metadata.details, run.config?.tokenValidation.timeoutMs ?? DEFAULT_TIMEOUT_MS);
}

async function validateToken(run: Run, metadata: TokenMetadata): Promise<Check[]> {
  const now = run.ctx.now();
  const checks: Check[] = [];
  // An OAuth access token that expired is routine when it can be refreshed: the refresh decides.
  const refreshable = metadata.type === 'oauth' && metadata.namespace === TOKENS_NAMESPACE;
  if (metadata.expiresAt !== undefined) {
    if (isExpired(metadata, now) && !refreshable) return [{ check: 'expiry', target: null, result: 'expired', detail: `expired at ${metadata.expiresAt}` }];
    if (!isExpired(metadata, now)) checks.push({ check: 'expiry', target: null, result: 'passed', detail: `valid until ${metadata.expiresAt}` });
  }
  if (refreshable) {
    const refresh = await refreshCheck(run, metadata);
    checks.push(refresh);
    if (refresh.result === 'rejected') return checks;
    if (refresh.result === 'skipped' && isExpired(metadata, now))
      return [...checks, { check: 'expiry', target: null, result: 'expired', detail: `the access token expired at ${metadata.expiresAt}` }];
  }
  const provider = await providerCheck(run, metadata);
  if (provider) checks.push(provider);
  for (const server of run.servers.get(keyOf(metadata)) ?? []) {
    let pending = run.serverChecks.get(server);
    if (!pending) run.serverChecks.set(server, (pending = checkServer(run.ctx, run.config!, server)));
    checks.push({ check: 'server', ...(await pending) });
  }
  return checks;
}

const RESULT_TONES: Record<TokenResult, Tone | undefined> = { passed: 'green', rejected: 'red', expired: 'red', error: 'yellow', unchecked: undefined };

function checksCell(checks: Check[]): string {
  if (checks.length === 0) return 'nothing can check it';
  return checks
    .map((c) => `${c.check}${c.target ? ` ${c.target}` : ''}: ${c.result === 'passed' || c.result === 'skipped' ? '' : `${c.result}: `}${c.detail}`)
    .join('; ');
}

/**
 * Checks what can be checked of one token, or of every token (of a namespace) without a name: expiry; the HTTP servers that send it (connect and
 * initialize); an OAuth login's refresh; a provider API key with one cheap request. Exit 4 when
 * any is rejected or expired, 1 when a check could not reach its answer, else 0.
 */
export async function run(name: string | undefined, options: ValidateOptions, ctx: Ctx): Promise<void> {
  if (name !== undefined && options.all) throw new CliError('give a token name or --all, not both');
  const config = await ctx.configIfAny();
  const { manager } = await ctx.store();
  const tokens = name !== undefined ? [await manager.describe(name, options.namespace)] : await manager.list({ namespace: options.namespace });
  const state: Run = { ctx, manager, config, servers: config ? serversByToken(config) : new Map(), serverChecks: new Map() };

  const report: TokenValidation[] = [];
  for (const metadata of tokens) {
    const checks = await validateToken(state, metadata);
    const result = overallResult(checks);
    await manager.recordEvent('validated', metadata, { result });
    report.push({
      name: metadata.name,
      namespace: metadata.namespace,
      type: metadata.type,
      provider: metadata.provider ?? null,
      expiresAt: metadata.expiresAt ?? null,
      result,
      checks,
    });
  }

  const counts = Object.fromEntries(TOKEN_RESULTS.map((r) => [r, report.filter((t) => t.result === r).length])) as Record<TokenResult, number>;
  if (options.json) ctx.stdout.write(JSON.stringify({ tokens: report, summary: counts }, null, 2) + '\n');
  else if (report.length > 0) {
    const tty = ctx.tty.stdout;
    const rows = report.map((t) => [
      { text: t.result, tone: RESULT_TONES[t.result] },
      t.type,
      t.name,
      t.namespace,
      tty ? checksCell(t.checks).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, (iso) => formatTime(iso, true)) : checksCell(t.checks),
    ]);
    ctx.stdout.write(renderTable(['RESULT', 'TYPE', 'NAME', 'NAMESPACE', { title: 'CHECKS', flex: true }], rows, tableOutput(ctx)));
  }
  const summary = `${report.length} token${report.length === 1 ? '' : 's'}: ${
    TOKEN_RESULTS.filter((r) => counts[r] > 0)
      .map((r) => `${counts[r]} ${r}`)
      .join(', ') || 'none stored'
  }`;
  if (counts.rejected + counts.expired > 0)
    throw new CliError(
      summary,
      ExitCode.authRequired,
      'store a valid value with `mcp-cli token rotate NAME`, or log in again with `mcp-cli auth login SERVER`',
    );
  if (counts.error > 0) throw new CliError(`${summary} (a check could not reach an answer)`);
  if (!options.json) ctx.stderr.write(`${summary}.\n`);
}
