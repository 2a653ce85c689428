// The form an elicitation asks for (MCP 2025-11-25 and 2026-07-28: a flat object of primitive fields,
// each with an optional default, SEP-1034), read from the server's `requestedSchema`, and the rules an
// answer must meet before it goes back. The schema is the server's: nothing in it is trusted.

export type FieldValue = string | number | boolean | string[];

export interface Choice {
  value: string;
  label: string;
}

interface FieldBase {
  name: string;
  /** The field's `title`, else its name. */
  label: string;
  description?: string;
  required: boolean;
  /** The server's default, kept only when it is a valid answer itself. */
  default?: FieldValue;
}

export type FormField = FieldBase &
  (
    | { kind: 'text'; minLength?: number; maxLength?: number; format?: string }
    | { kind: 'number'; integer: boolean; minimum?: number; maximum?: number }
    | { kind: 'boolean' }
    | { kind: 'choice'; choices: Choice[] }
    | { kind: 'choices'; choices: Choice[]; minItems?: number; maxItems?: number }
  );

export type Form = { fields: FormField[] } | { unsupported: string };

/** Bounds on what a server may ask in one form: more is not a form a person fills in. */
const MAX_FIELDS = 100;
const MAX_CHOICES = 1000;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const count = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined);
const bound = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** `oneOf`/`anyOf` of `{ const, title }` (titled choices), else `enum` with the legacy `enumNames` as labels. */
function choicesOf(schema: Json): Choice[] | undefined {
  const titled = Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : undefined;
  if (titled) {
    const choices = titled
      .filter(isObject)
      .flatMap((option) => (typeof option.const === 'string' ? [{ value: option.const, label: text(option.title) ?? option.const }] : []));
    return choices.length === titled.length ? choices : undefined;
  }
  if (!Array.isArray(schema.enum) || !schema.enum.every((v) => typeof v === 'string')) return undefined;
  const names = Array.isArray(schema.enumNames) ? schema.enumNames : [];
  return (schema.enum as string[]).map((value, i) => ({ value, label: text(names[i]) ?? value }));
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type FieldShape = DistributiveOmit<FormField, keyof FieldBase>;

function shapeOf(schema: Json): FieldShape | undefined {
  switch (schema.type) {
    case 'string': {
      const choices = choicesOf(schema);
      if (choices) return { kind: 'choice', choices };
      if (schema.enum !== undefined || schema.oneOf !== undefined || schema.anyOf !== undefined) return undefined;
      return defined({ kind: 'text' as const, minLength: count(schema.minLength), maxLength: count(schema.maxLength), format: text(schema.format) });
    }
    case 'number':
    case 'integer':
      return defined({ kind: 'number' as const, integer: schema.type === 'integer', minimum: bound(schema.minimum), maximum: bound(schema.maximum) });
    case 'boolean':
      return { kind: 'boolean' };
    case 'array': {
      const choices = isObject(schema.items) ? choicesOf(schema.items) : undefined;
      return choices && defined({ kind: 'choices' as const, choices, minItems: count(schema.minItems), maxItems: count(schema.maxItems) });
    }
    default:
      return undefined;
  }
}

/** The fields of a `requestedSchema`, in the server's order; `unsupported` says why there is no form to fill in. */
export function formOf(requestedSchema: unknown): Form {
  if (!isObject(requestedSchema)) return { unsupported: 'the question has no form' };
  const properties = isObject(requestedSchema.properties) ? requestedSchema.properties : {};
  const names = Object.keys(properties);
  if (names.length > MAX_FIELDS) return { unsupported: `the form has ${names.length} fields (at most ${MAX_FIELDS})` };
  const required = new Set(Array.isArray(requestedSchema.required) ? requestedSchema.required.filter((n) => typeof n === 'string') : []);
  const fields: FormField[] = [];
  for (const name of names) {
    const schema = properties[name];
    const shape = isObject(schema) ? shapeOf(schema) : undefined;
    if (!shape || !isObject(schema)) return { unsupported: `field '${name}' is of a kind a form cannot ask for` };
    if ('choices' in shape && shape.choices.length > MAX_CHOICES) return { unsupported: `field '${name}' has more than ${MAX_CHOICES} choices` };
    const field = { name, label: text(schema.title) ?? name, required: required.has(name), ...shape } as FormField;
    const description = text(schema.description);
    if (description !== undefined) field.description = description;
    if (schema.default !== undefined && problemWith(field, schema.default) === undefined) field.default = schema.default as FieldValue;
    fields.push(field);
  }
  return { fields };
}

/** A calendar date that exists (2025-02-30 does not). */
function isDate(value: string): boolean {
  const day = new Date(`${value}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
}

const FORMATS: Record<string, (value: string) => boolean> = {
  email: (v) => /^[^\s@]+@[^\s@]+$/.test(v),
  uri: (v) => URL.canParse(v),
  date: isDate,
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && !Number.isNaN(Date.parse(v)),
};

const FORMAT_NAMES: Record<string, string> = {
  email: 'an email address',
  uri: 'a URI',
  date: 'a date (YYYY-MM-DD)',
  'date-time': 'a date and time (ISO 8601)',
};

/** Why a value is not an answer to the field, or undefined when it is. */
export function problemWith(field: FormField, value: unknown): string | undefined {
  switch (field.kind) {
    case 'text': {
      if (typeof value !== 'string') return 'expected text';
      const length = [...value].length;
      if (field.minLength !== undefined && length < field.minLength) return `at least ${field.minLength} characters`;
      if (field.maxLength !== undefined && length > field.maxLength) return `at most ${field.maxLength} characters`;
      const format = field.format !== undefined ? FORMATS[field.format] : undefined;
      if (format && !format(value)) return `expected ${FORMAT_NAMES[field.format!]}`;
      return undefined;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'expected a number';
      if (field.integer && !Number.isInteger(value)) return 'expected a whole number';
      if (field.minimum !== undefined && value < field.minimum) return `at least ${field.minimum}`;
      if (field.maximum !== undefined && value > field.maximum) return `at most ${field.maximum}`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected yes or no';
    case 'choice':
      return typeof value === 'string' && field.choices.some((c) => c.value === value) ? undefined : 'expected one of the choices';
    case 'choices': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && field.choices.some((c) => c.value === v)))
        return 'expected choices from the list';
      if (new Set(value).size !== value.length) return 'a choice is named twice';
      if (field.minItems !== undefined && value.length < field.minItems) return `at least ${field.minItems} choices`;
      if (field.maxItems !== undefined && value.length > field.maxItems) return `at most ${field.maxItems} choices`;
      return undefined;
    }
  }
}

/** A choice by its number in the list (from 1), its value, or its label (case aside). */
function pick(choices: Choice[], typed: string): string | undefined {
  const n = /^\d+$/.test(typed) ? Number(typed) : NaN;
  if (n >= 1 && n <= choices.length) return choices[n - 1]!.value;
  return (choices.find((c) => c.value === typed) ?? choices.find((c) => c.label.toLowerCase() === typed.toLowerCase()))?.value;
}

/** A typed answer as the field's value, or why it is not one. An empty answer is the caller's to handle (default, or left out). */
export function parseAnswer(field: FormField, typed: string): { value: FieldValue } | { problem: string } {
  let value: unknown;
  switch (field.kind) {
    case 'text':
      value = typed;
      break;
    case 'number':
      value = typed.trim() === '' ? NaN : Number(typed.trim());
      break;
    case 'boolean':
      value = /^(y|yes|true)$/i.test(typed.trim()) ? true : /^(n|no|false)$/i.test(typed.trim()) ? false : undefined;
      break;
    case 'choice':
      value = pick(field.choices, typed.trim());
      if (value === undefined) return { problem: `expected a number from 1 to ${field.choices.length}, or a choice as listed` };
      break;
    case 'choices': {
      const picked = typed
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '')
        .map((part) => pick(field.choices, part));
      if (picked.includes(undefined)) return { problem: `expected numbers from 1 to ${field.choices.length} (or choices as listed), separated by commas` };
      value = picked;
      break;
    }
  }
  const problem = problemWith(field, value);
  return problem === undefined ? { value: value as FieldValue } : { problem };
}

/** What accepting the server's defaults sends: every field that has one; `missing` names required fields without one. */
export function defaultsOf(fields: FormField[]): { content: Record<string, FieldValue>; missing: string[] } {
  const missing = fields.filter((field) => field.default === undefined && field.required).map((field) => field.name);
  return { content: contentOf(fields.map((field) => [field.name, field.default])), missing };
}

/**
 * The answer's content from field names and values (an undefined value is left out). Built with
 * Object.fromEntries: a field the server named `__proto__` stays a field, not the object's prototype.
 */
export function contentOf(entries: [string, FieldValue | undefined][]): Record<string, FieldValue> {
  return Object.fromEntries(entries.filter((entry): entry is [string, FieldValue] => entry[1] !== undefined));
}
