import type { Ctx } from '../../context.js';
import { CliError, ExitCode } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import { printable } from '../../io/terminal-text.js';
import { readIdpSession } from '../../oauth/idp/session.js';
import {
  CLIENTS_NAMESPACE,
  isMachineGrant,
  readClient,
  sameIssuer,
  savedTokensOf,
  senderConstrained,
  TOKENS_NAMESPACE,
  type OAuthGrant,
} from '../../oauth/records.js';
import { scopeList } from '../../oauth/scopes.js';
import type { TokenManager } from '../../tokens/manager.js';
import { isExpired } from '../../tokens/model.js';
import { loginName } from '../../oauth/target.js';
import { validateIdentifier } from '../../tokens/names.js';
import { expiryCell, expiryLine, expiryStatus, expiryTone, formatTime, tableOutput } from '../shared/present.js';

export interface StatusOptions {
  json?: boolean;
  /** With a server: that account's login. */
  account?: string;
}

export interface ServerStatus {
  server: string;
  /** The login's named account (`auth login SERVER --account NAME`); null for the server's default login. */
  account: string | null;
  issuer: string;
  /** How the tokens were obtained. */
  grant: OAuthGrant;
  scopes: string[];
  expiresAt: string | null;
  expired: boolean;
  /** Whether the login renews itself: a refresh token, or a grant without a person (a new grant each time). */
  canRefresh: boolean;
  clientId: string | null;
  clientRegistration: 'dcr' | 'metadata-document' | 'configured' | 'missing';
  /** The resource indicator the tokens are bound to (RFC 8707); null when none was sent (`"resource": false`). */
  resource: string | null;
  audienceBound: boolean;
  /** The tokens are bound to the login's DPoP key (RFC 9449): a copy is useless without it. */
  senderConstrained: boolean;
  /** The login's DPoP key, as its algorithm and public thumbprint (never the key); null when it has none. */
  dpop: { alg: string; jkt: string } | null;
  /** When a server last asked for more scopes and a new authorization got them, and the scopes then asked for. */
  stepUpAt: string | null;
  stepUpScopes: string[];
  /** For `id_jag`: the identity provider the login rides on (`auth logout --idp` ends it). */
  idpIssuer: string | null;
  backend: string;
  location: string;
}

const GRANT_TEXT: Record<OAuthGrant, string> = {
  authorization_code: 'authorization code (browser)',
  device_code: 'device code (RFC 8628)',
  client_credentials: 'client credentials (the client on its own behalf)',
  jwt_bearer: "JWT bearer (the workload's own JWT, RFC 7523)",
  id_jag: 'identity assertion grant (your identity provider login, ID-JAG)',
};

const RENEWAL_TEXT: Partial<Record<OAuthGrant, string>> = {
  client_credentials: 'yes (a new client credentials grant when it expires)',
  jwt_bearer: "yes (a new grant with the workload's JWT when it expires)",
  id_jag: 'yes (a new grant from your identity provider login when it expires)',
};

const REGISTRATION_TEXT: Record<ServerStatus['clientRegistration'], string> = {
  configured: 'pre-registered, from oauth.clientId',
  'metadata-document': 'client ID metadata document',
  dcr: 'dynamic client registration',
  missing: 'registration not stored',
};

export async function run(server: string | undefined, options: StatusOptions, ctx: Ctx): Promise<void> {
  if (server !== undefined) validateIdentifier('name', server);
  const { account } = options;
  if (account !== undefined) {
    if (server === undefined) throw new CliError('--account names one login of a server: give the server too', 1, 'mcp-cli auth status SERVER --account NAME');
    validateIdentifier('account', account);
  }
  const { manager, selection } = await ctx.store();
  const names = server !== undefined ? [loginName({ name: server, account })] : (await manager.list({ namespace: TOKENS_NAMESPACE })).map((m) => m.name);
  const now = ctx.now();
  const statuses: ServerStatus[] = [];
  for (const name of names) {
    const stored = await manager.read({ namespace: TOKENS_NAMESPACE, name }, 'oauth');
    const tokens = stored && savedTokensOf(stored);
    if (!stored || !tokens) continue;
    const client = await readClient(manager, name);
    const bound =
      client && sameIssuer(client.issuer, tokens.issuer) && (tokens.clientId === undefined || tokens.clientId === client.information.client_id)
        ? client
        : undefined;
    statuses.push({
      ...serverAndAccount(name, tokens.account),
      issuer: tokens.issuer,
      grant: tokens.grant,
      scopes: scopeList(tokens.scope),
      expiresAt: tokens.expiresAt ?? null,
      expired: isExpired(stored.metadata, now),
      canRefresh: tokens.refreshToken !== undefined || isMachineGrant(tokens.grant),
      clientId: bound?.information.client_id ?? null,
      clientRegistration: bound ? bound.kind : 'missing',
      resource: tokens.resource ?? null,
      audienceBound: tokens.resource !== undefined,
      senderConstrained: senderConstrained(tokens),
      dpop: tokens.dpop ? { alg: tokens.dpop.alg, jkt: tokens.dpop.jkt } : null,
      stepUpAt: tokens.stepUpAt ?? null,
      stepUpScopes: scopeList(tokens.stepUpScope),
      idpIssuer: tokens.idpIssuer ?? null,
      backend: selection.name,
      location: `${manager.location} (${TOKENS_NAMESPACE}:${name}; client in ${CLIENTS_NAMESPACE}:${name})`,
    });
  }
  if (options.json) {
    ctx.stdout.write(JSON.stringify(server !== undefined ? (statuses[0] ?? { server, account: account ?? null, loggedIn: false }) : statuses, null, 2) + '\n');
    return;
  }
  if (server !== undefined && statuses.length === 0)
    throw new CliError(
      printable(`not logged in to '${server}'${account !== undefined ? ` as the account '${account}'` : ''}`),
      ExitCode.authRequired,
      printable(`run \`mcp-cli auth login ${server}${account !== undefined ? ` --account ${account}` : ''}\``),
    );
  if (statuses.length === 0) {
    ctx.stderr.write('Not logged in to any server.\n');
    return writeIdpLine(statuses, manager, ctx);
  }
  const tty = ctx.tty.stdout;
  if (server !== undefined) {
    const s = statuses[0]!;
    const stored = (await manager.list({ namespace: TOKENS_NAMESPACE })).find((m) => m.name === names[0])!;
    const refresh = RENEWAL_TEXT[s.grant] ?? (s.canRefresh ? 'yes (refreshed automatically)' : 'no (log in again when it expires)');
    const lines: [string, string][] = [
      ['Server', s.server],
      ...(s.account !== null ? [['Account', s.account] as [string, string]] : []),
      ['Issuer', s.issuer],
      ['Grant', GRANT_TEXT[s.grant]],
      ['Scopes', s.scopes.join(' ') || '-'],
      ['Expires', expiryLine(stored, now, tty)],
      ['Refresh', refresh],
      ['Client', s.clientId ? `${s.clientId} (${REGISTRATION_TEXT[s.clientRegistration]})` : REGISTRATION_TEXT[s.clientRegistration]],
      ['Audience', s.resource ?? 'not audience-bound: no resource indicator was sent ("resource": false), so the tokens name no server'],
      ['DPoP', dpopLine(s)],
      ...(s.idpIssuer ? [['Rides on', `your identity provider ${s.idpIssuer} (mcp-cli auth logout --idp ends it)`] as [string, string]] : []),
      ['Step-up', s.stepUpAt ? `${formatTime(s.stepUpAt, tty)} (scopes ${s.stepUpScopes.join(' ') || '-'})` : 'never'],
      ['Stored in', `${s.backend}: ${s.location}`],
    ];
    ctx.stdout.write(lines.map(([k, v]) => `${(k + ':').padEnd(11)}${printable(v)}\n`).join(''));
    return;
  }
  const metadata = new Map((await manager.list({ namespace: TOKENS_NAMESPACE })).map((m) => [m.name, m]));
  // Only where a named account is logged in: the columns stay as they were for everyone else, and for their scripts.
  const accounts = statuses.some((s) => s.account !== null);
  const rows = statuses.map((s) => {
    const stored = metadata.get(loginName({ name: s.server, account: s.account ?? undefined }))!;
    // An expired access token that can be refreshed is routine: only one that cannot is marked.
    const tone = s.canRefresh ? undefined : expiryTone(expiryStatus(stored, now));
    const cells = [
      s.server,
      ...(accounts ? [s.account ?? '-'] : []),
      s.issuer,
      s.grant,
      s.scopes.join(' '),
      expiryCell(stored, now, tty),
      s.canRefresh ? 'yes' : 'no',
      s.senderConstrained ? 'yes' : 'no',
      s.backend,
    ];
    return { cells, tone };
  });
  ctx.stdout.write(
    renderTable(
      [
        'SERVER',
        ...(accounts ? ['ACCOUNT'] : []),
        { title: 'ISSUER', flex: true },
        'GRANT',
        { title: 'SCOPES', flex: true },
        'EXPIRES',
        'REFRESH',
        'DPOP',
        'BACKEND',
      ],
      rows,
      tableOutput(ctx),
    ),
  );
  const declined = statuses.filter((s) => s.dpop && !s.senderConstrained).map(shownLogin);
  if (declined.length > 0)
    ctx.stderr.write(printable(`! Not sender-constrained (the authorization server issued Bearer tokens to a DPoP request): ${declined.join(', ')}\n`));
  const unbound = statuses.filter((s) => !s.audienceBound).map(shownLogin);
  if (unbound.length > 0) ctx.stderr.write(printable(`! Not audience-bound (no resource indicator was sent, "resource": false): ${unbound.join(', ')}\n`));
  await writeIdpLine(statuses, manager, ctx);
}

/** The identity provider you are signed in to and the logins that ride on it, on stderr, when there is either. */
async function writeIdpLine(statuses: ServerStatus[], manager: TokenManager, ctx: Ctx): Promise<void> {
  const riding = statuses.filter((s) => s.idpIssuer !== null).map(shownLogin);
  const idp = await readIdpSession(manager);
  if (idp || riding.length > 0)
    ctx.stderr.write(
      printable(
        `Identity provider: ${idp ? `${idp.issuer} (signed in${idp.subject ? ` as ${idp.subject}` : ''})` : 'not signed in'}; servers riding on it: ${riding.join(', ') || 'none'}`,
      ) + '\n',
    );
}

/** A login stored as `SERVER@ACCOUNT` is the account's login of SERVER; any other name is a server's default login. */
function serverAndAccount(stored: string, account: string | undefined): Pick<ServerStatus, 'server' | 'account'> {
  return account !== undefined && stored.endsWith(`@${account}`)
    ? { server: stored.slice(0, -account.length - 1), account }
    : { server: stored, account: null };
}

function shownLogin(s: ServerStatus): string {
  return s.account !== null ? `'${s.server}' (account '${s.account}')` : `'${s.server}'`;
}

/** What `auth status NAME` says of DPoP: the key's algorithm and thumbprint, never the key. */
function dpopLine(s: ServerStatus): string {
  if (!s.dpop) return 'not sender-constrained: Bearer tokens (the authorization server offers no DPoP, or oauth.dpop is false)';
  if (!s.senderConstrained)
    return `not sender-constrained: the authorization server issued Bearer tokens though they were asked for with a DPoP key (${s.dpop.alg}, thumbprint ${s.dpop.jkt})`;
  return `sender-constrained: bound to a ${s.dpop.alg} key (thumbprint ${s.dpop.jkt}) kept with the login; a copy of the token is useless without it`;
}
