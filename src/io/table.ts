import { printable } from './terminal-text.js';

/** Display width, counting emoji and East Asian wide characters as two columns. */
function width(text: string): number {
  let w = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfe0f || (cp >= 0x300 && cp <= 0x36f)) continue;
    w +=
      cp >= 0x1100 &&
      (cp <= 0x115f ||
        (cp >= 0x2e80 && cp <= 0xa4cf) ||
        (cp >= 0xac00 && cp <= 0xd7a3) ||
        (cp >= 0xf900 && cp <= 0xfaff) ||
        (cp >= 0xff00 && cp <= 0xff60) ||
        (cp >= 0x1f300 && cp <= 0x1faff) ||
        cp === 0x26a0)
        ? 2
        : 1;
  }
  return w;
}

/** One line of text, harmless for a terminal: cells often hold what a server or stored metadata said. */
const cell = (text: string) => printable(text.replace(/[\t\r\n]/g, ' '));

/**
 * A table for humans on a terminal (header, aligned columns) or for programs
 * when piped (no header, tab-separated), as the GitHub CLI does.
 */
export function renderTable(headers: string[], rows: string[][], tty: boolean): string {
  if (!tty) return rows.map((r) => r.map(cell).join('\t') + '\n').join('');
  const all = [headers, ...rows.map((r) => r.map(cell))];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  return all
    .map(
      (r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
          .join('  ')
          .trimEnd() + '\n',
    )
    .join('');
}
