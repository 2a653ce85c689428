import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import type { BackendEnv } from '../../stores/backend.js';
import { BACKENDS } from '../../stores/registry.js';
import { selectBackend, type Selection } from '../../stores/selection.js';
import { storageSetup } from '../shared/storage.js';
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
    if (!(error instanceof CliError)) throw error;
    selectionError = error;
  }
  if (options.json) {
    ctx.stdout.write(
      JSON.stringify(
        {
          active: active ? { name: active.name, source: active.source, reason: active.reason } : null,
          error: selectionError?.message ?? null,
          backends: probes.map((p) => ({ name: p.name, available: p.available, active: p.name === active?.name, detail: p.detail })),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    const tty = ctx.tty.stdout;
    const rows = probes.map((p) => [p.name, p.available ? 'available' : p.present === 'locked' ? 'locked' : 'unavailable', p.name === active?.name ? (tty ? '✓' : 'active') : '', p.detail]);
    ctx.stdout.write(renderTable(['BACKEND', 'STATUS', 'ACTIVE', 'DETAIL'], rows, tty));
    if (active) ctx.stderr.write(`Active backend: ${active.name} (${active.reason})\n`);
  }
  if (active) noteTokensElsewhere(ctx, active.name, [...leftoversOf(active), ...(await keychainTokens(active, probes, setup.backendEnv))]);
  if (selectionError) throw selectionError;
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
