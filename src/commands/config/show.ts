import type { Ctx } from '../../context.js';
import type { ResolvedServer } from '../../config/resolve.js';
import type { ServerEntry } from '../../config/schema.js';
import { printable } from '../../io/terminal-text.js';
import { emptyAuthorization, emptyAuthorizationWarning } from '../../config/authorization.js';
import { warn } from '../../io/notices.js';
import { eraCache, eraCachePath } from '../../mcp/era-cache.js';
import { eraKey, protocolView, type EraVerdict, type ProtocolView } from '../../mcp/era.js';
import { resolveConfiguredForDisplay, serverNames } from '../../services/server-config.js';

export interface ShowOptions {
  json?: boolean;
}

/** `auto; it spoke 2026-07-28 (checked ...)`, `2025-11-25 (pinned)`, `auto (not settled yet)`. */
function protocolLine(view: ProtocolView): string {
  const setting = view.pinned ? `${view.setting} (pinned)` : view.setting;
  if (view.checkedAt !== null) return `${setting}; the server spoke ${view.version} (checked ${view.checkedAt})`;
  return view.setting === 'auto' ? `${setting} (not settled yet)` : setting;
}

function describeEntry(name: string, entry: ServerEntry, protocol: ProtocolView): string {
  const lines = [`${name} (${entry.transport})`, `  protocol: ${protocolLine(protocol)}`];
  const map = (label: string, record: Record<string, string>) => {
    if (Object.keys(record).length === 0) return;
    lines.push(`  ${label}:`);
    for (const [key, value] of Object.entries(record)) lines.push(`    ${key}: ${value}`);
  };
  if (entry.transport === 'stdio') {
    lines.push(`  command: ${entry.command}`);
    if (entry.args.length > 0) lines.push(`  args: ${JSON.stringify(entry.args)}`);
    if (entry.cwd !== undefined) lines.push(`  cwd: ${entry.cwd}`);
    map('env', entry.env);
  } else {
    lines.push(`  url: ${entry.url}`);
    map('headers', entry.headers);
    if (entry.tls) map('tls', entry.tls as Record<string, string>);
  }
  if (entry.oauth) lines.push(`  oauth: ${JSON.stringify(entry.oauth)}`);
  return lines.join('\n') + '\n';
}

const fromReferences = (value: string) => /^(<TOKEN:[^>]+>)+$/.test(value);

/** A client secret or private key written into the file itself is still a secret: show only that one is set. */
function hideLiteralSecrets(entry: ServerEntry): ServerEntry {
  let out = entry;
  for (const field of ['clientSecret', 'privateKey'] as const) {
    const secret = out.oauth?.[field];
    if (secret !== undefined && !fromReferences(secret)) out = { ...out, oauth: { ...out.oauth, [field]: '<hidden>' } };
  }
  if (out.transport !== 'stdio' && out.tls?.key !== undefined && !fromReferences(out.tls.key)) out = { ...out, tls: { ...out.tls, key: '<hidden>' } };
  return out;
}

/**
 * The printed form of resolved servers: each entry as resolved, with every substituted value shown as
 * a placeholder naming its reference, never the value; and the protocol each server last spoke, when known.
 */
export function renderResolved(servers: ResolvedServer[], configPath: string, json: boolean, spoken: Record<string, EraVerdict> = {}): string {
  const shown = servers.map((s) => ({ name: s.name, entry: hideLiteralSecrets(s.masked), protocol: protocolView(s.masked, spoken[s.name]) }));
  if (json) {
    const mcpServers = Object.fromEntries(shown.map((s) => [s.name, s.entry]));
    const protocols = Object.fromEntries(shown.map((s) => [s.name, s.protocol]));
    return JSON.stringify({ config: configPath, mcpServers, protocols }, null, 2) + '\n';
  }
  return printable([`Config: ${configPath}\n`, ...shown.map((s) => describeEntry(s.name, s.entry, s.protocol))].join('\n'));
}

/**
 * Resolves every reference and prints the result masked. A display command: a reference that cannot
 * be resolved is marked in place (`<missing TOKEN:bearer:x>`) and named on stderr, and the exit is 0.
 */
export async function run(server: string | undefined, options: ShowOptions, ctx: Ctx): Promise<void> {
  const config = await ctx.config();
  const names = serverNames(config, server !== undefined ? [server] : []);
  const { servers, problems } = await resolveConfiguredForDisplay(ctx, config, names);
  const eras = eraCache(eraCachePath(ctx.env), ctx.now);
  const spoken: Record<string, EraVerdict> = {};
  for (const s of servers) {
    const verdict = eras.read(eraKey(s.name, s.masked));
    if (verdict) spoken[s.name] = verdict;
  }
  ctx.stdout.write(renderResolved(servers, config.location.path, !!options.json, spoken));
  for (const name of names) {
    const why = emptyAuthorization(config.servers[name]!);
    if (why) warn(ctx, printable(emptyAuthorizationWarning(name, why)));
  }
  for (const problem of problems) warn(ctx, printable(problem.message));
}
