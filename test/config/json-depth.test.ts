// The nesting limit is found in the text itself, before any parser or walk meets the file.
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestedTooDeep, parseJsonText, tooDeepAt } from '../../src/config/json.js';

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('tooDeepAt', () => {
  it('finds the bracket that opens one level too many, by line and column', () => {
    expect(tooDeepAt(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(tooDeepAt(nested(MAX_JSON_DEPTH + 1))).toEqual({ line: 1, column: MAX_JSON_DEPTH + 1 });
    expect(tooDeepAt(`{\n  "a": ${'{"b":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}}`)).toEqual({ line: 2, column: 8 + 5 * (MAX_JSON_DEPTH - 1) });
  });

  it('does not count brackets in strings, escaped quotes included, or in JSONC comments', () => {
    const inString = JSON.stringify({ a: `"\\${'['.repeat(500)}` });
    expect(tooDeepAt(inString)).toBeUndefined();
    expect(tooDeepAt(`// ${'['.repeat(500)}\n/* ${'{'.repeat(500)} */ {"a": 1}`)).toBeUndefined();
  });

  it('parseJsonText refuses such a file by its limit, before parsing it', () => {
    expect(() => parseJsonText(`{"a": ${nested(200)}}`, 'f.json')).toThrow(
      'f.json:1:106: objects and arrays nested more than 100 deep (mcp-cli reads at most 100 levels)',
    );
  });
});

describe('nestedTooDeep', () => {
  it('measures parsed data without recursion, and takes data that holds itself as too deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(nestedTooDeep(deep)).toBe(true);
    expect(nestedTooDeep(JSON.parse(nested(MAX_JSON_DEPTH)))).toBe(false);
    expect(nestedTooDeep(JSON.parse(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    const shared = { x: [1, 2] };
    expect(nestedTooDeep({ a: shared, b: shared, c: [shared, shared] })).toBe(false);
    const cycle: unknown[] = [];
    cycle.push(cycle, cycle, cycle);
    expect(nestedTooDeep({ a: cycle })).toBe(true);
  });
});
