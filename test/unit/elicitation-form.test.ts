// The form of an elicitation read from a server's requestedSchema: every kind of field the 2025-11-25
// and 2026-07-28 revisions define, defaults kept only when they are valid answers (SEP-1034), typed
// answers parsed and checked, and what a form that cannot be filled in says.
import { describe, expect, it } from 'vitest';
import { defaultsOf, formOf, parseAnswer, problemWith, type FormField } from '../../src/mcp/elicitation-form.js';

const fieldsOf = (schema: unknown): FormField[] => {
  const form = formOf(schema);
  if ('unsupported' in form) throw new Error(form.unsupported);
  return form.fields;
};
const field = (property: object, required = false) => fieldsOf({ type: 'object', properties: { f: property }, ...(required ? { required: ['f'] } : {}) })[0]!;

describe('formOf', () => {
  it('reads every kind of field, in order, with titles, descriptions and required', () => {
    const fields = fieldsOf({
      type: 'object',
      properties: {
        name: { type: 'string', title: 'Name', description: 'Full name', minLength: 1, maxLength: 40 },
        mail: { type: 'string', format: 'email' },
        age: { type: 'integer', minimum: 0 },
        ratio: { type: 'number', maximum: 1 },
        ok: { type: 'boolean' },
        plain: { type: 'string', enum: ['a', 'b'] },
        legacy: { type: 'string', enum: ['x', 'y'], enumNames: ['Ex', 'Why'] },
        titled: {
          type: 'string',
          oneOf: [
            { const: 'p', title: 'Pee' },
            { const: 'q', title: 'Queue' },
          ],
        },
        many: { type: 'array', items: { type: 'string', enum: ['r', 's'] }, minItems: 1, maxItems: 2 },
        manyTitled: { type: 'array', items: { anyOf: [{ const: 't', title: 'Tee' }] } },
      },
      required: ['name', 'ok'],
    });
    expect(fields).toEqual([
      { name: 'name', label: 'Name', description: 'Full name', required: true, kind: 'text', minLength: 1, maxLength: 40 },
      { name: 'mail', label: 'mail', required: false, kind: 'text', format: 'email' },
      { name: 'age', label: 'age', required: false, kind: 'number', integer: true, minimum: 0 },
      { name: 'ratio', label: 'ratio', required: false, kind: 'number', integer: false, maximum: 1 },
      { name: 'ok', label: 'ok', required: true, kind: 'boolean' },
      {
        name: 'plain',
        label: 'plain',
        required: false,
        kind: 'choice',
        choices: [
          { value: 'a', label: 'a' },
          { value: 'b', label: 'b' },
        ],
      },
      {
        name: 'legacy',
        label: 'legacy',
        required: false,
        kind: 'choice',
        choices: [
          { value: 'x', label: 'Ex' },
          { value: 'y', label: 'Why' },
        ],
      },
      {
        name: 'titled',
        label: 'titled',
        required: false,
        kind: 'choice',
        choices: [
          { value: 'p', label: 'Pee' },
          { value: 'q', label: 'Queue' },
        ],
      },
      {
        name: 'many',
        label: 'many',
        required: false,
        kind: 'choices',
        choices: [
          { value: 'r', label: 'r' },
          { value: 's', label: 's' },
        ],
        minItems: 1,
        maxItems: 2,
      },
      { name: 'manyTitled', label: 'manyTitled', required: false, kind: 'choices', choices: [{ value: 't', label: 'Tee' }] },
    ]);
  });

  it('keeps a default only when it is a valid answer to its field', () => {
    expect(field({ type: 'string', default: 'John Doe' }).default).toBe('John Doe');
    expect(field({ type: 'integer', default: 30 }).default).toBe(30);
    expect(field({ type: 'number', default: 95.5 }).default).toBe(95.5);
    expect(field({ type: 'boolean', default: false }).default).toBe(false);
    expect(field({ type: 'string', enum: ['a', 'b'], default: 'b' }).default).toBe('b');
    expect(field({ type: 'array', items: { type: 'string', enum: ['a', 'b'] }, default: ['a', 'b'] }).default).toEqual(['a', 'b']);
    for (const bad of [
      { type: 'integer', default: 2.5 },
      { type: 'integer', default: '30' },
      { type: 'number', minimum: 10, default: 5 },
      { type: 'boolean', default: 'yes' },
      { type: 'string', enum: ['a'], default: 'z' },
      { type: 'string', maxLength: 2, default: 'long' },
      { type: 'string', format: 'email', default: 'not-an-address' },
      { type: 'array', items: { type: 'string', enum: ['a'] }, default: ['a', 'a'] },
    ])
      expect(field(bad).default, JSON.stringify(bad)).toBeUndefined();
  });

  it('names what it cannot ask for: no form, a nested object, an enum of numbers, too many fields', () => {
    expect(formOf(undefined)).toEqual({ unsupported: 'the question has no form' });
    expect(formOf({ type: 'object', properties: { nested: { type: 'object' } } })).toEqual({
      unsupported: "field 'nested' is of a kind a form cannot ask for",
    });
    expect(formOf({ type: 'object', properties: { n: { type: 'string', enum: [1, 2] } } })).toEqual({
      unsupported: "field 'n' is of a kind a form cannot ask for",
    });
    const wide = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, { type: 'string' }]));
    expect(formOf({ type: 'object', properties: wide })).toEqual({ unsupported: 'the form has 101 fields (at most 100)' });
    expect(formOf({ type: 'object' })).toEqual({ fields: [] });
  });
});

describe('parseAnswer', () => {
  it('text as typed, checked against length and format', () => {
    expect(parseAnswer(field({ type: 'string' }), ' spaced ')).toEqual({ value: ' spaced ' });
    expect(parseAnswer(field({ type: 'string', minLength: 3 }), 'ab')).toEqual({ problem: 'at least 3 characters' });
    expect(parseAnswer(field({ type: 'string', format: 'email' }), 'ada@example.org')).toEqual({ value: 'ada@example.org' });
    expect(parseAnswer(field({ type: 'string', format: 'uri' }), 'not a uri')).toEqual({ problem: 'expected a URI' });
    expect(parseAnswer(field({ type: 'string', format: 'date' }), '2025-02-30')).toEqual({ problem: 'expected a date (YYYY-MM-DD)' });
    expect(parseAnswer(field({ type: 'string', format: 'date' }), '2024-02-29')).toEqual({ value: '2024-02-29' });
    expect(parseAnswer(field({ type: 'string', format: 'date-time' }), '2025-06-01T10:00:00Z')).toEqual({ value: '2025-06-01T10:00:00Z' });
  });

  it('numbers within bounds, whole ones for integers', () => {
    expect(parseAnswer(field({ type: 'integer' }), ' 42 ')).toEqual({ value: 42 });
    expect(parseAnswer(field({ type: 'integer' }), '4.2')).toEqual({ problem: 'expected a whole number' });
    expect(parseAnswer(field({ type: 'number' }), 'abc')).toEqual({ problem: 'expected a number' });
    expect(parseAnswer(field({ type: 'number', minimum: 1, maximum: 5 }), '6')).toEqual({ problem: 'at most 5' });
    expect(parseAnswer(field({ type: 'number' }), 'Infinity')).toEqual({ problem: 'expected a number' });
  });

  it('yes and no for booleans', () => {
    expect(parseAnswer(field({ type: 'boolean' }), 'Y')).toEqual({ value: true });
    expect(parseAnswer(field({ type: 'boolean' }), 'no')).toEqual({ value: false });
    expect(parseAnswer(field({ type: 'boolean' }), 'maybe')).toEqual({ problem: 'expected yes or no' });
  });

  it('a choice by number, value or label; several, comma-separated, without repeats', () => {
    const one = field({
      type: 'string',
      oneOf: [
        { const: 'eu', title: 'Europe' },
        { const: 'us', title: 'United States' },
      ],
    });
    expect(parseAnswer(one, '2')).toEqual({ value: 'us' });
    expect(parseAnswer(one, 'eu')).toEqual({ value: 'eu' });
    expect(parseAnswer(one, 'united states')).toEqual({ value: 'us' });
    expect(parseAnswer(one, '3')).toEqual({ problem: 'expected a number from 1 to 2, or a choice as listed' });
    const many = field({ type: 'array', items: { type: 'string', enum: ['r', 'g', 'b'] }, maxItems: 2 });
    expect(parseAnswer(many, '3, r')).toEqual({ value: ['b', 'r'] });
    expect(parseAnswer(many, '1,2,3')).toEqual({ problem: 'at most 2 choices' });
    expect(parseAnswer(many, '1,1')).toEqual({ problem: 'a choice is named twice' });
    expect(parseAnswer(many, 'x')).toEqual({ problem: 'expected numbers from 1 to 3 (or choices as listed), separated by commas' });
  });

  it('problemWith checks a value of the wrong type as the wrong type', () => {
    expect(problemWith(field({ type: 'string' }), 5)).toBe('expected text');
    expect(problemWith(field({ type: 'array', items: { type: 'string', enum: ['a'] } }), 'a')).toBe('expected choices from the list');
  });
});

describe('defaultsOf', () => {
  it('the fields that have a default, and the required ones that have none', () => {
    const fields = fieldsOf({
      type: 'object',
      properties: { a: { type: 'string', default: 'x' }, b: { type: 'integer' }, c: { type: 'boolean', default: true }, d: { type: 'string' } },
      required: ['a', 'd'],
    });
    expect(defaultsOf(fields)).toEqual({ content: { a: 'x', c: true }, missing: ['d'] });
  });

  it('a field named __proto__ stays a field of the answer and leaves its prototype alone', () => {
    const fields = fieldsOf(JSON.parse('{"type":"object","properties":{"__proto__":{"type":"array","items":{"enum":["polluted"]},"default":["polluted"]}}}'));
    const { content } = defaultsOf(fields);
    expect(Object.getPrototypeOf(content)).toBe(Object.prototype);
    expect(Object.keys(content)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(content))).toEqual(JSON.parse('{"__proto__":["polluted"]}'));
  });
});
