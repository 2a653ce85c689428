import type { Ctx } from '../../context.js';
import type { CliError } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import type { BackendEnv } from '../../stores/backend.js';
import { BACKENDS } from '../../stores/registry.js';
import { selectBackend, type Selection } from '../../stores/selection.js';
import { unlockedFiles } from '../../agent/session.js';
import { encryptedBackend } from '../../stores/encrypted/descriptor.js';
import { EncryptedFileStore } from '../../stores/encrypted/store.js';
import { printable } from '../../io/terminal-text.js';
import { auditLogPlace, auditLogText } from '../../services/audit.js';
import { warn } from '../../io/notices.js';
import { asCliError } from '../shared/store-errors.js';
import { formatTime, tableOutput } from '../shared/present.js';
import { storageSetup } from '../../services/storage.js';
import { leftoversOf, noteTokensElsewhere } from './elsewhere.js';

export interface BackendsOptions {
  json?: boolean;
}

export async function run(options: BackendsOptions, ctx: Ctx): Promise<void> {
  const setup = await storageSetup(ctx);
  const probes = await Promise.all(BACKENDS.map(async (b) => ({ name: b.name, ...(await b.probe(setup.backendEnv)) })));
  let active: Selection | undefined;
  let selectionError: CliError | undefined;
  try {
    active = await selectBackend(setup.request, setup.backendEnv);
  } catch (error) {
    selectionError = asCliError(error);
    if (!selectionError) throw error;
  }
  const until = await unlockedUntil(ctx, setup.backendEnv);
  const audit = auditLogPlace(ctx);
  const unlockedOf = (name: string) => (name === 'encrypted' && until ? until.toISOString() : null);
  if (options.json) {
    ctx.stdout.write(
      JSON.stringify(
        {
          active: active ? { name: active.name, source: active.source, reason: active.reason } : null,
          error: selectionError?.message ?? null,
          hint: selectionError?.hint ?? null,
          backends: probes.map((p) => ({
            name: p.name,
            available: p.available,
            active: p.name === active?.name,
            detail: p.detail,
            auth: p.auth ?? null,
            unlockedUntil: unlockedOf(p.name),
          })),
          auditLog: { path: audit.path, movedBy: audit.movedBy ?? null },
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    const tty = ctx.tty.stdout;
    const rows = probes.map((p) => {
      const unlocked = unlockedOf(p.name);
      // First, so that a detail cut to the terminal's width keeps it.
      const detail = unlocked ? `unlocked until ${tty ? formatTime(unlocked, tty) : unlocked}; ${p.detail}` : p.detail;
      const status = p.available ? 'available' : p.present === 'locked' ? 'locked' : 'unavailable';
      return [
        p.name,
        { text: status, tone: p.available ? ('green' as const) : p.present ? ('red' as const) : ('dim' as const) },
        { text: p.name === active?.name ? (tty ? '✓' : 'active') : '', tone: 'green' as const },
        { text: detail, tone: p.available ? undefined : ('dim' as const) },
      ];
    });
    ctx.stdout.write(renderTable(['BACKEND', 'STATUS', 'ACTIVE', { title: 'DETAIL', flex: true }], rows, tableOutput(ctx)));
    if (active) ctx.stderr.write(`Active backend: ${active.name} (${shortReason(active)})\n`);
    if (selectionError) warn(ctx, `No active backend: ${selectionError.message}${selectionError.hint ? `\n  hint: ${selectionError.hint}` : ''}`);
    ctx.stderr.write(`Audit log: ${printable(auditLogText(ctx, audit))}\n`);
  }
  if (active) noteTokensElsewhere(ctx, active.name, [...leftoversOf(active), ...(await keychainTokens(active, probes, setup.backendEnv))]);
}

/** The reason on one line: why each keychain was passed over is in the table above already (and in --json). */
function shortReason(active: Selection): string {
  if (!active.passedOver?.length) return active.reason;
  return `auto: no OS keychain reachable; see ${active.passedOver.map((p) => p.slice(0, p.indexOf(':'))).join(', ')} above`;
}

/** Until when an unlock session keeps the encrypted file open, when one does. */
async function unlockedUntil(ctx: Ctx, be: BackendEnv): Promise<Date | undefined> {
  if (ctx.platform === 'win32') return undefined;
  const store = await encryptedBackend.open(be);
  const identity = store instanceof EncryptedFileStore ? await store.identity().catch(() => undefined) : undefined;
  if (!identity) return undefined;
  try {
    const entry = (await unlockedFiles(ctx.env)).find((e) => e.id === identity);
    return entry ? new Date(entry.expiresAt) : undefined;
  } catch (error) {
    const known = asCliError(error);
    if (!known) throw error;
    warn(ctx, known.message);
    return undefined;
  }
}

/** Tokens in an available keychain that is not the active backend: the probe's connection can count them. */
async function keychainTokens(active: Selection, probes: { name: string; available: boolean }[], be: BackendEnv): Promise<{ backend: string; what: string }[]> {
  const found: { backend: string; what: string }[] = [];
  for (const backend of BACKENDS) {
    if (backend.name === active.name || !backend.countTokens || !probes.find((p) => p.name === backend.name)?.available) continue;
    const count = await backend.countTokens(be);
    if (count) found.push({ backend: backend.name, what: `${count} token${count === 1 ? ' is' : 's are'} stored in ${backend.name}` });
  }
  return found;
}
