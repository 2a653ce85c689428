/** A line-by-line difference (Myers' algorithm), and its rendering as a unified diff. */

export type LineOp = { kind: 'same'; line: string } | { kind: 'removed'; line: string } | { kind: 'added'; line: string };

/** The edit script from `a` to `b`. Common leading and trailing lines are set aside first: edits are usually small. */
export function lineDiff(a: string[], b: string[]): LineOp[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const middle = myers(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  return [
    ...a.slice(0, head).map((line): LineOp => ({ kind: 'same', line })),
    ...middle,
    ...a.slice(a.length - tail).map((line): LineOp => ({ kind: 'same', line })),
  ];
}

function myers(a: string[], b: string[]): LineOp[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const at = (k: number) => k + max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d]: the furthest x reached on each diagonal k after d - 1 edits.
  const trace: Int32Array[] = [];
  search: for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[at(k - 1)]! < v[at(k + 1)]!) ? v[at(k + 1)]! : v[at(k - 1)]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[at(k)] = x;
      if (x >= n && y >= m) break search;
    }
  }
  const ops: LineOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const frontier = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && frontier[at(k - 1)]! < frontier[at(k + 1)]!) ? k + 1 : k - 1;
    const prevX = frontier[at(prevK)]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: 'same', line: a[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: 'added', line: b[prevY]! });
      else ops.push({ kind: 'removed', line: a[prevX]! });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

/**
 * A unified diff of two texts with `context` lines around each change; empty when they are equal.
 * `show` makes each line printable (it masks secrets).
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, show: (line: string) => string, context = 2): string {
  if (before === after) return '';
  // A final newline ends the last line; it does not start another.
  const lines = (text: string) => (text === '' ? [] : (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n'));
  const ops = lineDiff(lines(before), lines(after));
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  let i = 0;
  let oldLine = 1;
  let newLine = 1;
  const numbered = ops.map((op) => {
    const at = { op, old: oldLine, new: newLine };
    if (op.kind !== 'added') oldLine++;
    if (op.kind !== 'removed') newLine++;
    return at;
  });
  while (i < numbered.length) {
    if (numbered[i]!.op.kind === 'same') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while changes are closer than twice the context.
    for (let j = i; j < numbered.length; j++) {
      if (numbered[j]!.op.kind !== 'same') end = j;
      else if (j - end > 2 * context) break;
    }
    const stop = Math.min(numbered.length, end + context + 1);
    const hunk = numbered.slice(start, stop);
    const oldCount = hunk.filter((l) => l.op.kind !== 'added').length;
    const newCount = hunk.filter((l) => l.op.kind !== 'removed').length;
    out.push(`@@ -${oldCount === 0 ? hunk[0]!.old - 1 : hunk[0]!.old},${oldCount} +${newCount === 0 ? hunk[0]!.new - 1 : hunk[0]!.new},${newCount} @@`);
    for (const l of hunk) out.push(`${l.op.kind === 'same' ? ' ' : l.op.kind === 'removed' ? '-' : '+'}${show(l.op.line)}`);
    i = stop;
    start = stop;
  }
  return out.join('\n') + '\n';
}
