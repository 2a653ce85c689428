import type { ClientDef } from './catalog.js';
import { commentsOf, position, valueAt } from './formats.js';
import type { FieldRef, Finding } from './scan.js';
import { findByShape, findInKeyed, findInText, kindOfKey, type SecretKind } from './secrets.js';

/**
 * Secrets a client's file holds outside the fields of its server entries: in comments, which no
 * reference can stand in for, and as the `default` of a VS Code input, which `${input:id}` in an
 * entry stands for.
 */

/** An input whose default value looks like a secret. */
export interface SecretInput {
  index: number;
  id: string;
  /** The default, all of it: `${input:id}` stands for exactly this. */
  value: string;
  kind: SecretKind;
  by: 'name' | 'shape';
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The inputs (VS Code's `inputs`) whose default looks like a secret: by the input's id, `"password": true`, or the value's shape. */
export function secretInputs(client: ClientDef, data: unknown): Map<string, SecretInput> {
  const out = new Map<string, SecretInput>();
  const inputs = client.inputs ? valueAt(data, client.inputs) : undefined;
  if (!Array.isArray(inputs)) return out;
  inputs.forEach((input, index) => {
    if (!isObject(input) || typeof input.id !== 'string' || typeof input.default !== 'string') return;
    const byName = kindOfKey(input.id) ?? (input.password === true ? 'generic' : undefined);
    const named = byName !== undefined && findInKeyed(input.password === true ? 'password' : input.id, input.default).length > 0;
    const shaped = findByShape(input.default);
    if (named) out.set(input.id, { index, id: input.id, value: input.default, kind: byName, by: 'name' });
    else if (shaped.length > 0) out.set(input.id, { index, id: input.id, value: input.default, kind: shaped[0]!.kind, by: 'shape' });
  });
  return out;
}

/** The `${input:id}` of a field that stand for a secret input, each a finding of that field whose value is the input's default. */
export function inputFindings(field: FieldRef, value: string, inputs: Map<string, SecretInput>): Finding[] {
  const out: Finding[] = [];
  if (inputs.size === 0) return out;
  const keyKind = field.part === 'env' || field.part === 'headers' ? kindOfKey(field.key) : undefined;
  for (const m of value.matchAll(/\$\{input:([^}]*)\}/g)) {
    const input = inputs.get(m[1]!);
    if (!input) continue;
    out.push({
      field,
      match: { start: m.index, end: m.index + m[0].length, kind: keyKind ?? input.kind, by: input.by, label: `default of input '${input.id}'` },
      value: input.value,
      input: { index: input.index, id: input.id },
    });
  }
  return out;
}

/** A secret input as a finding of the file itself (no server uses it). */
export function inputFinding(client: ClientDef, input: SecretInput): Finding {
  return {
    field: { part: 'raw', path: [...(client.inputs ?? []), input.index, 'default'] },
    match: { start: 0, end: input.value.length, kind: input.kind, by: input.by, label: `default of input '${input.id}'` },
    value: input.value,
    input: { index: input.index, id: input.id },
  };
}

/** What looks like a secret in the file's comments, by line. */
export function commentFindings(client: ClientDef, text: string): Finding[] {
  const out: Finding[] = [];
  for (const comment of commentsOf(client.format, text)) {
    for (const match of findInText(comment.text)) {
      const { line } = position(text, comment.offset + match.start);
      out.push({
        field: { part: 'comment', line },
        match: { ...match, label: `${match.label} in a comment` },
        value: comment.text.slice(match.start, match.end),
      });
    }
  }
  return out;
}
