// How many terminal columns text takes: by grapheme (what a terminal draws as one character), so
// that combining marks and zero-width joiners add nothing, emoji and East Asian wide characters two.

// East Asian Wide and Fullwidth ranges (Unicode EastAsianWidth.txt, W and F), coarsened.
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f251],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];

function isWide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to] = WIDE[mid]!;
    if (cp < from) hi = mid - 1;
    else if (cp > to) lo = mid + 1;
    else return true;
  }
  return false;
}

// Zero width on their own: combining marks, format characters (ZWJ, bidi marks), variation selectors, controls.
const ZERO = /^[\p{M}\p{Cf}\p{Cc}\u{fe00}-\u{fe0f}\u{e0100}-\u{e01ef}]$/u;
const REGIONAL = /\p{Regional_Indicator}/u;

let segmenter: Intl.Segmenter | undefined;

function graphemeWidth(grapheme: string): number {
  const first = grapheme.codePointAt(0)!;
  if (grapheme.length === 1 && first < 0x7f) return first < 0x20 || first === 0x7f ? 0 : 1;
  // An emoji presentation (⚠️ is ⚠ with U+FE0F), a ZWJ sequence, a flag: two columns, however many code points.
  if (grapheme.includes('\ufe0f') || grapheme.includes('\u200d') || REGIONAL.test(grapheme)) return 2;
  if (ZERO.test(String.fromCodePoint(first))) return 0;
  return isWide(first) ? 2 : 1;
}

/** Every grapheme of `text` with its width. */
function* graphemes(text: string): Generator<[string, number]> {
  // Plain ASCII, the usual case, needs no segmentation.
  if (/^[\x20-\x7e]*$/.test(text)) {
    for (const ch of text) yield [ch, 1];
    return;
  }
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment } of segmenter.segment(text)) yield [segment, graphemeWidth(segment)];
}

/** The number of terminal columns `text` takes (one line, no escape sequences). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const [, w] of graphemes(text)) width += w;
  return width;
}

/** `text` cut to at most `width` columns, ending with … when something was cut; never inside a grapheme. */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const [grapheme, w] of graphemes(text)) {
    if (used + w > width - 1) break;
    out += grapheme;
    used += w;
  }
  return out + '…';
}
