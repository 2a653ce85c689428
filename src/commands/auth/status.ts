import type { Ctx } from '../../context.js';
import { CliError, ExitCode } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import { printable } from '../../io/terminal-text.js';
import { CLIENTS_NAMESPACE, readClient, sameIssuer, savedTokensOf, TOKENS_NAMESPACE } from '../../oauth/records.js';
import { isExpired } from '../../tokens/model.js';
import { validateIdentifier } from '../../tokens/names.js';
import { expiryCell, expiryLine, expiryStatus, expiryTone, tableOutput } from '../shared/present.js';

export interface StatusOptions {
  json?: boolean;
}

export interface ServerStatus {
  server: string;
  issuer: string;
  scopes: string[];
  expiresAt: string | null;
  expired: boolean;
  canRefresh: boolean;
  clientId: string | null;
  clientRegistration: 'dcr' | 'metadata-document' | 'configured' | 'missing';
  backend: string;
  location: string;
}

export async function run(server: string | undefined, options: StatusOptions, ctx: Ctx): Promise<void> {
  if (server !== undefined) validateIdentifier('name', server);
  const { manager, selection } = await ctx.store();
  const names = server !== undefined ? [server] : (await manager.list({ namespace: TOKENS_NAMESPACE })).map((m) => m.name);
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
      server: name,
      issuer: tokens.issuer,
      scopes: tokens.scope ? tokens.scope.split(' ') : [],
      expiresAt: tokens.expiresAt ?? null,
      expired: isExpired(stored.metadata, now),
      canRefresh: tokens.refreshToken !== undefined,
      clientId: bound?.information.client_id ?? null,
      clientRegistration: bound ? bound.kind : 'missing',
      backend: selection.name,
      location: `${manager.location} (${TOKENS_NAMESPACE}:${name}; client in ${CLIENTS_NAMESPACE}:${name})`,
    });
  }
  if (options.json) {
    ctx.stdout.write(JSON.stringify(server !== undefined ? (statuses[0] ?? { server, loggedIn: false }) : statuses, null, 2) + '\n');
    return;
  }
  if (server !== undefined && statuses.length === 0)
    throw new CliError(`not logged in to '${server}'`, ExitCode.authRequired, `run \`mcp-cli auth login ${server}\``);
  if (statuses.length === 0) {
    ctx.stderr.write('Not logged in to any server.\n');
    return;
  }
  const tty = ctx.tty.stdout;
  if (server !== undefined) {
    const s = statuses[0]!;
    const stored = (await manager.list({ namespace: TOKENS_NAMESPACE })).find((m) => m.name === s.server)!;
    const lines: [string, string][] = [
      ['Server', s.server],
      ['Issuer', s.issuer],
      ['Scopes', s.scopes.join(' ') || '-'],
      ['Expires', expiryLine(stored, now, tty)],
      ['Refresh', s.canRefresh ? 'yes (refreshed automatically)' : 'no (log in again when it expires)'],
      ['Client', s.clientId ? `${s.clientId} (${s.clientRegistration})` : s.clientRegistration],
      ['Stored in', `${s.backend}: ${s.location}`],
    ];
    ctx.stdout.write(lines.map(([k, v]) => `${(k + ':').padEnd(11)}${printable(v)}\n`).join(''));
    return;
  }
  const metadata = new Map((await manager.list({ namespace: TOKENS_NAMESPACE })).map((m) => [m.name, m]));
  const rows = statuses.map((s) => {
    const stored = metadata.get(s.server)!;
    // An expired access token that can be refreshed is routine: only one that cannot is marked.
    const tone = s.canRefresh ? undefined : expiryTone(expiryStatus(stored, now));
    return { cells: [s.server, s.issuer, s.scopes.join(' '), expiryCell(stored, now, tty), s.canRefresh ? 'yes' : 'no', s.backend], tone };
  });
  ctx.stdout.write(
    renderTable(['SERVER', { title: 'ISSUER', flex: true }, { title: 'SCOPES', flex: true }, 'EXPIRES', 'REFRESH', 'BACKEND'], rows, tableOutput(ctx)),
  );
}
