import { describe, expect, it } from 'vitest';
import { arrayOf, either, httpUrl, integer, object, oneOf, recordOf, string, type Issue } from '../../src/config/shape.js';

const check = <T>(shape: (v: unknown, p: PropertyKey[], i: Issue[]) => T | undefined, value: unknown) => {
  const issues: Issue[] = [];
  return { value: shape(value, ['x'], issues), issues: issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
};

describe('config shapes', () => {
  it('accept what fits and give it back', () => {
    const shape = object({
      a: string(),
      n: integer(0, 9),
      list: arrayOf(string()),
      map: recordOf(oneOf(['p', 'q'])),
      url: httpUrl,
      s: either(string(), arrayOf(string())),
    });
    const value = { a: 'x', n: 3, list: ['l'], map: { k: 'p' }, url: 'https://h.test/v1', s: ['a'], extra: true };
    expect(check(shape, value)).toEqual({ value: { a: 'x', n: 3, list: ['l'], map: { k: 'p' }, url: 'https://h.test/v1', s: ['a'] }, issues: [] });
  });

  it('name the path and what was expected, never the value, and report every issue in order', () => {
    const shape = object({ a: string({ nonEmpty: true }), n: integer(0, 9), list: arrayOf(string()), kind: oneOf(['p', 'q']), url: httpUrl });
    const { value, issues } = check(shape, { a: '', n: 12, list: ['ok', 7], kind: 'sk-SENTINEL', url: 'file:///etc/passwd' });
    expect(value).toBeUndefined();
    expect(issues).toEqual([
      'x.a: expected a non-empty string',
      'x.n: expected a whole number from 0 to 9',
      'x.list.1: expected a string',
      'x.kind: expected one of "p", "q"',
      'x.url: expected an http:// or https:// URL',
    ]);
    expect(issues.join()).not.toContain('SENTINEL');
  });

  it('tell types apart, strict objects refuse unknown fields, and either reports the second shape', () => {
    expect(check(string(), 3).issues).toEqual(['x: expected a string']);
    expect(check(integer(0, 1), 'high').issues).toEqual(['x: expected a number']);
    expect(check(recordOf(string()), []).issues).toEqual(['x: expected an object']);
    expect(check(arrayOf(string()), {}).issues).toEqual(['x: expected an array']);
    expect(check(object({ a: string() }, 'strict'), { a: 'x', pfx: 1 }).issues).toEqual(['x: unknown setting "pfx"']);
    expect(check(either(string(), arrayOf(string())), 5).issues).toEqual(['x: expected an array']);
    expect(check(string({ pattern: { test: /^\d+d$/, message: 'expected days' } }), '7h').issues).toEqual(['x: expected days']);
  });
});
