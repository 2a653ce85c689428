import { MIN_PIECE, type Pattern, type Patterns } from './secret-set.js';

/** What replaces a secret. */
export const REDACTED = '<redacted>';

/** A stretch [start, end) of a text to mask. */
export type Range = readonly [number, number];

/** Whether a text may hold a pattern or a piece that is masked (see Patterns.textNeedles): false means surely not. */
export const mayHold = (text: string, patterns: Patterns): boolean => patterns.textNeedles.some((needle) => text.includes(needle));

/** Every occurrence of every pattern, overlapping ones included. */
export function occurrences(text: string, list: readonly Pattern[]): Range[] {
  const found: Range[] = [];
  for (const { text: needle } of list) {
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) found.push([at, at + needle.length]);
  }
  return found;
}

/** Where the longest end of `text` begins that is the beginning of a credential (MIN_PIECE or more of it, not all). */
function tailPiece(text: string, list: readonly Pattern[]): number | undefined {
  let earliest: number | undefined;
  for (const { text: pattern, pieces } of list) {
    if (!pieces || pattern.length <= MIN_PIECE) continue;
    const head = pattern.slice(0, MIN_PIECE);
    for (let at = text.indexOf(head, Math.max(0, text.length - pattern.length + 1)); at >= 0; at = text.indexOf(head, at + 1)) {
      if (earliest !== undefined && at >= earliest) break;
      if (pattern.startsWith(text.slice(at))) {
        earliest = at;
        break;
      }
    }
  }
  return earliest;
}

/** Where the longest beginning of `text` ends that is the end of a credential (MIN_PIECE or more of it, not all). */
function headPiece(text: string, list: readonly Pattern[]): number | undefined {
  let longest: number | undefined;
  for (const { text: pattern, pieces } of list) {
    if (!pieces || pattern.length <= MIN_PIECE) continue;
    const tail = pattern.slice(-MIN_PIECE);
    // The piece ends where an occurrence of the pattern's last characters ends; the latest such end is the longest piece.
    const last = Math.min(text.length, pattern.length - 1) - MIN_PIECE;
    if (last < 0) continue;
    for (let at = text.lastIndexOf(tail, last); at >= 0; at = at > 0 ? text.lastIndexOf(tail, at - 1) : -1) {
      const end = at + MIN_PIECE;
      if (longest !== undefined && end <= longest) break;
      if (pattern.endsWith(text.slice(0, end))) {
        longest = end;
        break;
      }
    }
  }
  return longest;
}

/** The pieces of credentials at either edge of a text: where a secret cut in two (across messages, say) shows one part. */
export function pieces(text: string, list: readonly Pattern[]): Range[] {
  const found: Range[] = [];
  const tail = tailPiece(text, list);
  if (tail !== undefined) found.push([tail, text.length]);
  const head = headPiece(text, list);
  if (head !== undefined) found.push([0, head]);
  return found;
}

/** Each stretch replaced by REDACTED, overlapping and touching ones as one. */
export function redact(text: string, ranges: readonly Range[]): string {
  if (ranges.length === 0) return text;
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let out = '';
  let from = 0;
  let [start, end] = sorted[0]!;
  for (const [nextStart, nextEnd] of sorted.slice(1)) {
    if (nextStart <= end) {
      end = Math.max(end, nextEnd);
      continue;
    }
    out += text.slice(from, start) + REDACTED;
    from = end;
    [start, end] = [nextStart, nextEnd];
  }
  return out + text.slice(from, start) + REDACTED + text.slice(end);
}

/** One text on its own: every spelling of every secret, and a piece of a credential that begins or ends it. */
export function maskText(text: string, patterns: Patterns): string {
  if (!mayHold(text, patterns)) return text;
  return redact(text, [...occurrences(text, patterns.list), ...pieces(text, patterns.list)]);
}
