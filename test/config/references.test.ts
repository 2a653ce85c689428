import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeLiteral, parseTemplate, ReferenceSyntaxError, renderSegments, type Reference } from '../../src/config/references.js';

describe('parseTemplate', () => {
  it('finds several references inside one string', () => {
    expect(parseTemplate('Bearer ${TOKEN:bearer:my-api} for ${USER}@${HOST:-localhost}')).toEqual([
      { kind: 'text', text: 'Bearer ' },
      { kind: 'token', namespace: 'bearer', name: 'my-api' },
      { kind: 'text', text: ' for ' },
      { kind: 'env', variable: 'USER' },
      { kind: 'text', text: '@' },
      { kind: 'env', variable: 'HOST', fallback: 'localhost' },
    ]);
  });

  it('reads a fourth part as the field', () => {
    expect(parseTemplate('${TOKEN:generic:corp:password}')).toEqual([{ kind: 'token', namespace: 'generic', name: 'corp', field: 'password' }]);
  });

  it('treats $${ as a literal ${ and other dollars as themselves', () => {
    expect(parseTemplate('cost $5, $${HOME}, pa$$word and $HOME$')).toEqual([{ kind: 'text', text: 'cost $5, ${HOME}, pa$$word and $HOME$' }]);
  });

  it('reads $$${X} as a literal $ before a reference', () => {
    expect(parseTemplate('$$${X}')).toEqual([
      { kind: 'text', text: '$' },
      { kind: 'env', variable: 'X' },
    ]);
  });

  it('takes ${TOKEN:-x} as a variable named TOKEN with a default', () => {
    expect(parseTemplate('${TOKEN:-x}')).toEqual([{ kind: 'env', variable: 'TOKEN', fallback: 'x' }]);
  });

  it.each([
    ['${TOKEN:bearer}', 'a token reference is'],
    ['${TOKEN:bearer:a:b:c}', 'a token reference is'],
    ['${TOKEN::name}', 'namespace'],
    ['${TOKEN:bearer:}', 'token name'],
    ['${TOKEN:bearer:x:no good}', 'field'],
    ['x ${TOKEN:bearer:y', 'without a closing'],
    ['${}', 'expected ${TOKEN'],
    ['${9LIVES}', 'expected ${TOKEN'],
  ])('rejects %s with a reason', (input, reason) => {
    expect(() => parseTemplate(input)).toThrow(ReferenceSyntaxError);
    expect(() => parseTemplate(input)).toThrow(reason);
  });

  it('never quotes a default value in its error', () => {
    try {
      parseTemplate('${BAD-NAME:-sk-live-sentinel}');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('sk-live-sentinel');
    }
  });
});

// Strings rich in the characters the syntax cares about, so the properties explore edge cases.
const templateish = fc
  .array(fc.oneof(fc.constantFrom('$', '{', '}', ':', ':-', 'TOKEN', 'TOKEN:', 'bearer', 'x', '_', '9', ' ', '\n', '${', '$${'), fc.string({ maxLength: 3 })), {
    maxLength: 20,
  })
  .map((parts) => parts.join(''));

describe('parseTemplate properties', () => {
  it('any input either parses or fails with ReferenceSyntaxError', () => {
    fc.assert(
      fc.property(fc.oneof(templateish, fc.string()), (input) => {
        try {
          const segments = parseTemplate(input);
          expect(Array.isArray(segments)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ReferenceSyntaxError);
          expect((error as ReferenceSyntaxError).offset).toBeGreaterThanOrEqual(0);
          expect((error as ReferenceSyntaxError).offset).toBeLessThan(input.length);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('escaped literals round-trip', () => {
    fc.assert(
      fc.property(fc.oneof(templateish, fc.string()), (literal) => {
        const segments = parseTemplate(escapeLiteral(literal));
        expect(renderSegments(segments, () => 'REFERENCE')).toBe(literal);
        expect(segments.every((s) => s.kind === 'text')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('literals and references put together resolve to the literals around the values', () => {
    const part = fc.constantFrom('bearer', 'api-key', 'x.y', 'a@b', 'n_1');
    const reference = fc.record({ namespace: part, name: part }).map((r): Reference => ({ kind: 'token', ...r }));
    const piece = fc.oneof(
      fc.string().map((text) => ({ text })),
      reference.map((ref) => ({ ref })),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        // Adjacent literals form one literal: escape each run of text as a whole.
        let template = '';
        let pending = '';
        for (const p of pieces) {
          if ('text' in p) pending += p.text;
          else {
            template += escapeLiteral(pending, true) + (p.ref.kind === 'token' ? `\${TOKEN:${p.ref.namespace}:${p.ref.name}}` : '');
            pending = '';
          }
        }
        template += escapeLiteral(pending);
        const valueOf = (ref: Reference) => (ref.kind === 'token' ? `<${ref.namespace}/${ref.name}>` : '');
        const expected = pieces.map((p) => ('text' in p ? p.text : valueOf(p.ref))).join('');
        expect(renderSegments(parseTemplate(template), valueOf)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
