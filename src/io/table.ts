import { createStyle, type Tone } from './style.js';
import { printable } from './terminal-text.js';
import { displayWidth, truncateToWidth } from './width.js';

/** A column; a `flex` one holds free text and is the one cut (with …) when the table is wider than the terminal. */
export type Column = string | { title: string; flex: true };

/** A cell, with a colour on a terminal if it has a tone. */
export type Cell = string | { text: string; tone?: Tone };

/** A row: its cells, and a tone for the whole of it (an expired token, say). */
export type Row = Cell[] | { cells: Cell[]; tone?: Tone };

export interface TableOutput {
  /** A terminal: a header and aligned columns. Otherwise tab-separated rows without a header. */
  tty: boolean;
  /** The width to fit on a terminal. */
  columns?: number;
  /** Colours for the tones (on a terminal, unless NO_COLOR...). */
  color?: boolean;
}

/** A cut column keeps at least this many columns (or its title's width). */
const MIN_FLEX_WIDTH = 10;
const GAP = 2;

/** One line of text, harmless for a terminal: cells often hold what a server or stored metadata said. */
const oneLine = (text: string) => printable(text.replace(/[\t\r\n]/g, ' '));

const cellsOf = (row: Row) => (Array.isArray(row) ? row : row.cells);
const toneOf = (row: Row) => (Array.isArray(row) ? undefined : row.tone);
const textOf = (cell: Cell) => oneLine(typeof cell === 'string' ? cell : cell.text);

/** Widths that fit `columns`: the widest flex column gives way first, down to its minimum. */
function fit(widths: number[], columns: Column[], available: number | undefined): number[] {
  if (available === undefined) return widths;
  const fitted = [...widths];
  const min = (i: number) => {
    const c = columns[i]!;
    return typeof c === 'string' ? widths[i]! : Math.min(widths[i]!, Math.max(MIN_FLEX_WIDTH, displayWidth(c.title)));
  };
  for (;;) {
    const over = fitted.reduce((a, b) => a + b, 0) + GAP * (fitted.length - 1) - available;
    if (over <= 0) return fitted;
    const flex = fitted.map((w, i) => ({ w, i })).filter(({ w, i }) => w > min(i));
    if (flex.length === 0) return fitted;
    const widest = flex.reduce((a, b) => (b.w > a.w ? b : a));
    const next = Math.max(...flex.filter((f) => f !== widest).map((f) => f.w), 0);
    fitted[widest.i] = Math.max(min(widest.i), widest.w - over, Math.min(next, widest.w - 1));
  }
}

/** Whether the table is drawn on a terminal of `columns` without cutting a cell (always when piped or the width is unknown). */
export function tableFits(columns: Column[], rows: Row[], output: TableOutput): boolean {
  if (!output.tty || output.columns === undefined) return true;
  const titles = columns.map((c) => (typeof c === 'string' ? c : c.title));
  const texts = [titles, ...rows.map((r) => cellsOf(r).map(textOf))];
  const natural = titles.map((_, i) => Math.max(...texts.map((r) => displayWidth(r[i] ?? ''))));
  return natural.reduce((a, b) => a + b, 0) + GAP * (natural.length - 1) <= output.columns;
}

/**
 * A table for humans on a terminal (header, aligned columns that fit the terminal's width,
 * measured in display columns) or for programs when piped (no header, one value per
 * tab-separated column, no colour), as the GitHub CLI does.
 */
export function renderTable(columns: Column[], rows: Row[], output: TableOutput): string {
  if (!output.tty) return rows.map((r) => cellsOf(r).map(textOf).join('\t') + '\n').join('');
  const style = createStyle(!!output.color);
  const titles = columns.map((c) => (typeof c === 'string' ? c : c.title));
  const texts = [titles, ...rows.map((r) => cellsOf(r).map(textOf))];
  const natural = titles.map((_, i) => Math.max(...texts.map((r) => displayWidth(r[i] ?? ''))));
  const widths = fit(natural, columns, output.columns);
  const line = (cells: string[], tones: (Tone | undefined)[]) =>
    cells
      .map((text, i) => {
        const cut = displayWidth(text) > widths[i]! ? truncateToWidth(text, widths[i]!) : text;
        const padded = i === cells.length - 1 ? cut : cut + ' '.repeat(Math.max(0, widths[i]! - displayWidth(cut)));
        const tone = tones[i];
        return tone ? style.tone(tone, padded) : padded;
      })
      .join(' '.repeat(GAP))
      .trimEnd() + '\n';
  return (
    line(titles, []) +
    rows
      .map((row, r) =>
        line(
          texts[r + 1]!,
          cellsOf(row).map((c) => (typeof c === 'string' ? undefined : c.tone) ?? toneOf(row)),
        ),
      )
      .join('')
  );
}
