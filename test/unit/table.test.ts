import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/io/table.js';
import { displayWidth, truncateToWidth } from '../../src/io/width.js';
import { expiryCell } from '../../src/commands/shared/present.js';
import { inWords } from '../../src/tokens/duration.js';

const ESC = '\u001b';
const visible = (line: string) => line.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');

describe('display width', () => {
  it.each([
    ['abc', 3],
    ['café', 4],
    ['cafe\u0301', 4], // e + a combining acute accent
    ['café-☕', 7],
    ['⚠️ expired', 10], // ⚠ with its emoji presentation selector
    ['⏳ in 3d', 8],
    ['你好', 4],
    ['ｔｏｋｅｎ', 10],
    ['한국어', 6],
    ['👨‍👩‍👧', 2], // one family: a ZWJ sequence
    ['🇫🇷', 2],
    ['a\u200bb', 2], // a zero-width space
  ])('%j takes %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it('cuts at a width with …, never inside a character', () => {
    expect(truncateToWidth('abcdefgh', 5)).toBe('abcd…');
    expect(truncateToWidth('你好世界', 5)).toBe('你好…');
    expect(truncateToWidth('cafe\u0301s', 5)).toBe('cafe\u0301s');
    expect(truncateToWidth('cafe\u0301s!', 5)).toBe('cafe\u0301…');
    expect(truncateToWidth('short', 10)).toBe('short');
  });
});

describe('tables', () => {
  const rows = [
    ['bearer', 'café-☕', 'bearer', 'provider=openai, organization=org-1234567890, project=proj-abcdefghijklmnop'],
    ['api-key', 'openai', 'api-key', 'provider=openai'],
  ];
  const columns = ['TYPE', 'NAME', 'NAMESPACE', { title: 'DETAILS', flex: true as const }];

  it('on a terminal: a header and columns aligned by display width, not string length', () => {
    const lines = renderTable(columns, rows, { tty: true }).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TYPE {5}NAME {5}NAMESPACE {2}DETAILS$/);
    // Where the third column starts, in display columns: the same on every line, café-☕ or not.
    const third = ['NAMESPACE', 'bearer', 'api-key'];
    expect(lines.map((l, i) => displayWidth(l.slice(0, l.lastIndexOf(third[i]!))))).toEqual([18, 18, 18]);
  });

  it('fits the terminal: the free-text column is cut with …, the others stay whole', () => {
    const lines = renderTable(columns, rows, { tty: true, columns: 60 }).trimEnd().split('\n');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    expect(lines[1]).toBe('bearer   café-☕  bearer     provider=openai, organization=…');
    expect(displayWidth(lines[1]!)).toBe(60);
    expect(lines[2]).toContain('provider=openai');
    // Too narrow for even the minimum: the fixed columns stay whole, the terminal wraps.
    expect(renderTable(columns, rows, { tty: true, columns: 20 })).toContain('café-☕');
  });

  it('piped: one value per tab-separated column, no header, nothing cut, no colour', () => {
    const text = renderTable(columns, [{ cells: rows[0]!, tone: 'red' }], { tty: false, columns: 20, color: true });
    expect(text).toBe(`${rows[0]!.join('\t')}\n`);
  });

  it('colours rows and cells by tone on a terminal, without moving the columns', () => {
    const toned = renderTable(columns, [{ cells: rows[1]!, tone: 'red' }, [{ text: 'x', tone: 'green' }, 'y', 'z', 'w']], { tty: true, color: true });
    const [, red, green] = toned.split('\n');
    expect(red).toContain(`${ESC}[31mapi-key`);
    expect(green!.startsWith(`${ESC}[32mx`)).toBe(true);
    expect(visible(toned)).toBe(renderTable(columns, [rows[1]!, ['x', 'y', 'z', 'w']], { tty: true }));
    expect(renderTable(columns, [{ cells: rows[1]!, tone: 'red' }], { tty: true, color: false })).not.toContain(ESC);
  });

  it('neutralises control characters from stored text', () => {
    const text = renderTable(['A'], [['evil\u001b]52;c;Zm9v\u0007name']], { tty: true });
    expect(text).not.toContain(ESC);
    expect(text).toContain('\\u001b]52;c;Zm9v\\u0007name');
  });
});

describe('expiry words', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  const token = (expiresAt?: string) => ({
    name: 'x',
    namespace: 'bearer',
    type: 'bearer' as const,
    createdAt: '',
    updatedAt: '',
    details: {},
    ...(expiresAt ? { expiresAt } : {}),
  });

  it('rounds to the nearest unit: a token set to expire in 3d shows 3d at once', () => {
    expect(inWords(3 * 86_400_000 - 5_000)).toBe('3d');
    expect(inWords(36 * 3_600_000)).toBe('2d');
    expect(inWords(5 * 3_600_000 + 20 * 60_000)).toBe('5h');
    expect(inWords(90_000)).toBe('2m');
    expect(inWords(1_000)).toBe('1m');
    expect(expiryCell(token(new Date(now.getTime() + 3 * 86_400_000 - 5_000).toISOString()), now, true)).toMatch(/⏳ in 3d$/);
  });

  it('one spelling for no expiry on a terminal; piped, the ISO time or nothing', () => {
    expect(expiryCell(token(), now, true)).toBe('never');
    expect(expiryCell(token(), now, false)).toBe('');
    expect(expiryCell(token('2020-01-01T00:00:00.000Z'), now, false)).toBe('2020-01-01T00:00:00.000Z');
    expect(expiryCell(token('2020-01-01T00:00:00.000Z'), now, true)).toBe('2020-01-01 00:00 UTC ⚠️ expired');
  });
});
