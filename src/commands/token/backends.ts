import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import { BACKENDS } from '../../stores/registry.js';
import { selectBackend, type Selection } from '../../stores/selection.js';
import { storageSetup } from '../shared/storage.js';

export interface BackendsOptions {
  json?: boolean;
}

export async function run(options: BackendsOptions, ctx: Ctx): Promise<void> {
  const setup = await storageSetup(ctx);
  const probes = await Promise.all(BACKENDS.map(async (b) => ({ name: b.name, ...(await b.probe(setup.backendEnv)) })));
  let active: Selection | undefined;
  let selectionError: string | undefined;
  try {
    active = await selectBackend(setup.request, setup.backendEnv);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    selectionError = error.message;
  }
  if (options.json) {
    ctx.stdout.write(
      JSON.stringify(
        {
          active: active ? { name: active.name, source: active.source, reason: active.reason } : null,
          error: selectionError ?? null,
          backends: probes.map((p) => ({ name: p.name, available: p.available, active: p.name === active?.name, detail: p.detail })),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    const tty = ctx.tty.stdout;
    const rows = probes.map((p) => [p.name, p.available ? 'available' : 'unavailable', p.name === active?.name ? (tty ? '✓' : 'active') : '', p.detail]);
    ctx.stdout.write(renderTable(['BACKEND', 'STATUS', 'ACTIVE', 'DETAIL'], rows, tty));
    if (active) ctx.stderr.write(`Active backend: ${active.name} (${active.reason})\n`);
  }
  if (selectionError) throw new CliError(selectionError);
}
