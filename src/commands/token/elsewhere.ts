import type { Ctx } from '../../context.js';
import type { Selection } from '../../stores/selection.js';

/** On stderr: tokens in another backend are not what the active one shows, and how to move them. */
export function noteTokensElsewhere(ctx: Ctx, active: string, elsewhere: { backend: string; what: string }[]): void {
  for (const { backend, what } of elsewhere) {
    ctx.stderr.write(`Note: ${what} (backend '${backend}'); the active backend is '${active}', which does not see them.\n`);
    ctx.stderr.write(`  Move them with \`mcp-cli token migrate --from ${backend}\` (add --dry-run to see the plan first).\n`);
  }
}

/** The file checks made while selecting: a token file beside the active backend. */
export function leftoversOf(selection: Selection): { backend: string; what: string }[] {
  return (selection.elsewhere ?? []).map(({ backend, location }) => ({ backend, what: `${location} also exists and may hold tokens` }));
}
