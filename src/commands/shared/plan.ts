import type { Ctx } from '../../context.js';
import { renderTable } from '../../io/table.js';
import type { StoredToken } from '../../tokens/model.js';
import { tableOutput } from './present.js';

/** A step of `token import` or `token migrate`: what will happen to one token. */
export interface PlannedStep {
  action: string;
  token: StoredToken;
}

/** The plan as a table on stdout: action, type, name, namespace (never a value). */
export function showPlan(ctx: Ctx, plan: PlannedStep[]): void {
  const rows = plan.map((s) => [s.action, s.token.metadata.type, s.token.metadata.name, s.token.metadata.namespace]);
  ctx.stdout.write(renderTable(['ACTION', 'TYPE', 'NAME', 'NAMESPACE'], rows, tableOutput(ctx)));
}

/** `3 tokens already exist` with the tokens named: the start of the message about conflicts. */
export function conflictsSaid(conflicts: PlannedStep[]): string {
  const n = conflicts.length;
  return `${n} token${n === 1 ? '' : 's'} already exist${n === 1 ? 's' : ''}`;
}

export const stepNames = (steps: PlannedStep[]) => steps.map((c) => `${c.token.metadata.namespace}:${c.token.metadata.name}`).join(', ');
