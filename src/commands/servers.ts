import type { Ctx } from '../context.js';
import { CliError } from '../errors.js';
import { renderTable } from '../io/table.js';
import { printable } from '../io/terminal-text.js';
import { describeReference } from '../config/references.js';
import { mapEntryStrings, parseEntry, placeholder } from '../config/resolve.js';
import type { ServerEntry } from '../config/schema.js';
import { renderSegments } from '../config/references.js';
import { isExpired, keyOf, type TokenMetadata } from '../tokens/model.js';
import { expiresWithin, expiryWarningWindow, warnExpiringTokens } from '../services/expiry-notice.js';
import { tableOutput } from './shared/present.js';
import { warn } from '../io/notices.js';
import { emptyAuthorization, emptyAuthorizationWarning } from '../config/authorization.js';
import type { Tone } from '../io/style.js';
import { eraCache, eraCachePath } from '../mcp/era-cache.js';
import { eraKey, protocolCell, protocolView, type ProtocolView } from '../mcp/era.js';

export interface ServersOptions {
  json?: boolean;
}

type TokenStatus = 'present' | 'missing' | 'expired' | 'expiring-soon';

interface TokenUse {
  reference: string;
  namespace: string;
  name: string;
  field: string | null;
  status: TokenStatus;
  expiresAt: string | null;
}

interface ServerRow {
  name: string;
  transport: ServerEntry['transport'];
  /** The URL or command, with references shown as placeholders. */
  target: string | null;
  /** The protocol the entry asks for, and the one the server spoke when it was last settled (src/mcp/era-cache.ts). */
  protocol: ProtocolView;
  tokens: TokenUse[];
  error: string | null;
}

function statusOf(metadata: TokenMetadata | undefined, now: Date, soonMs: number): TokenStatus {
  if (!metadata) return 'missing';
  if (isExpired(metadata, now)) return 'expired';
  if (expiresWithin(metadata, soonMs, now)) return 'expiring-soon';
  return 'present';
}

/** Red when a token is missing or expired, yellow when one expires soon. */
function tokensTone(tokens: TokenUse[]): Tone | undefined {
  if (tokens.some((t) => t.status === 'missing' || t.status === 'expired')) return 'red';
  return tokens.some((t) => t.status === 'expiring-soon') ? 'yellow' : undefined;
}

/** Lists configured servers and the state of the tokens they reference. Connects to nothing and reads no secret. */
export async function run(options: ServersOptions, ctx: Ctx): Promise<void> {
  const config = await ctx.config();
  const parsed = Object.entries(config.servers).map(([name, entry]) => {
    try {
      const { parsed: fields, uses } = parseEntry(name, entry);
      const masked = mapEntryStrings(entry, (_v, field) => renderSegments(fields.get(field)!, placeholder));
      return { name, entry, masked, uses, error: null };
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      return { name, entry, masked: undefined, uses: [], error: error.message };
    }
  });
  const needsStore = parsed.some((p) => p.uses.some((u) => u.reference.kind === 'token'));
  const stored = new Map<string, TokenMetadata>();
  if (needsStore) for (const m of await (await ctx.store()).manager.list()) stored.set(keyOf(m), m);
  const now = ctx.now();
  const soonMs = expiryWarningWindow(config, ctx);
  const eras = eraCache(eraCachePath(ctx.env), ctx.now);

  const used: { server: string; tokens: TokenMetadata[] }[] = [];
  const rows: ServerRow[] = parsed.map((p) => {
    const tokens = new Map<string, TokenUse>();
    for (const { reference } of p.uses) {
      if (reference.kind !== 'token') continue;
      const metadata = stored.get(keyOf(reference));
      if (metadata) used.push({ server: p.name, tokens: [metadata] });
      tokens.set(describeReference(reference), {
        reference: describeReference(reference),
        namespace: reference.namespace,
        name: reference.name,
        field: reference.field ?? null,
        status: statusOf(metadata, now, soonMs),
        expiresAt: metadata?.expiresAt ?? null,
      });
    }
    const target = p.masked ? (p.masked.transport === 'stdio' ? [p.masked.command, ...p.masked.args].join(' ') : p.masked.url) : null;
    const verdict = p.masked ? eras.read(eraKey(p.name, p.masked)) : undefined;
    return { name: p.name, transport: p.entry.transport, target, protocol: protocolView(p.entry, verdict), tokens: [...tokens.values()], error: p.error };
  });

  warnExpiringTokens(ctx, used, soonMs);
  for (const p of parsed) {
    const why = emptyAuthorization(p.entry);
    if (why) warn(ctx, printable(emptyAuthorizationWarning(p.name, why)));
  }
  if (options.json) {
    ctx.stdout.write(JSON.stringify({ config: config.location.path, servers: rows }, null, 2) + '\n');
    return;
  }
  if (rows.length === 0) {
    ctx.stderr.write(`No servers in ${config.location.path}.\n`);
    return;
  }
  const tty = ctx.tty.stdout;
  const table = rows.map((r) => [
    r.name,
    r.transport,
    protocolCell(r.protocol),
    r.target ?? '',
    r.error
      ? { text: `invalid: ${r.error}`, tone: 'red' as const }
      : {
          // On a terminal the state comes first, so that a cell cut to the width keeps it.
          text:
            r.tokens
              .map((t) => {
                const ref = `${t.namespace}:${t.name}${t.field ? `:${t.field}` : ''}`;
                return tty ? `${t.status} ${ref}` : `${ref} ${t.status}`;
              })
              .join(', ') || '-',
          tone: tokensTone(r.tokens),
        },
  ]);
  ctx.stdout.write(renderTable(['SERVER', 'TRANSPORT', 'PROTOCOL', { title: 'TARGET', flex: true }, { title: 'TOKENS', flex: true }], table, tableOutput(ctx)));
  if (tty) ctx.stderr.write(`Config: ${printable(config.location.path)}\n`);
}
