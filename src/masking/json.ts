// JSON values as JSON.parse makes them, walked and written without recursion: a server's message
// may be nested deeper than the call stack goes.

type Container = Record<string, unknown> | unknown[];

interface Frame {
  source: Container;
  /** The object's keys; undefined for an array. */
  keys: string[] | undefined;
  next: number;
  names: string[];
  values: unknown[];
  changed: boolean;
}

const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

/** What a leaf (a string or a number) becomes; `key` is the object key it sits under (undefined in an array). */
export type LeafMap = (value: string | number, key: string | undefined) => unknown;

/**
 * Maps every string and number of a JSON value, and every key, in document order (a key before its
 * value). Returns the same value, not a copy, when nothing changed; only the containers on the way to
 * a change are copied.
 */
export function mapJson(root: unknown, leaf: LeafMap, key: (key: string) => string = (k) => k): unknown {
  const mapLeaf = (value: unknown, at: string | undefined) => (typeof value === 'string' || typeof value === 'number' ? leaf(value, at) : value);
  if (!isContainer(root)) return mapLeaf(root, undefined);
  const open = (source: Container): Frame => ({
    source,
    keys: Array.isArray(source) ? undefined : Object.keys(source),
    next: 0,
    names: [],
    values: [],
    changed: false,
  });
  const stack: Frame[] = [open(root)];
  const give = (frame: Frame, value: unknown, was: unknown) => {
    frame.values.push(value);
    if (value !== was) frame.changed = true;
  };
  for (;;) {
    const frame = stack[stack.length - 1]!;
    const length = frame.keys ? frame.keys.length : (frame.source as unknown[]).length;
    if (frame.next < length) {
      const i = frame.next++;
      let at: string | undefined;
      let child: unknown;
      if (frame.keys) {
        at = frame.keys[i]!;
        const name = key(at);
        frame.names.push(name);
        if (name !== at) frame.changed = true;
        child = (frame.source as Record<string, unknown>)[at];
      } else child = (frame.source as unknown[])[i];
      if (isContainer(child)) stack.push(open(child));
      else give(frame, mapLeaf(child, at), child);
      continue;
    }
    stack.pop();
    const value = !frame.changed ? frame.source : frame.keys ? Object.fromEntries(frame.names.map((name, i) => [name, frame.values[i]])) : frame.values;
    const parent = stack[stack.length - 1];
    if (!parent) return value;
    give(parent, value, frame.source);
  }
}

/** Where JSON.stringify would recurse too deep: the text, written piece by piece. */
function stringifyDeep(root: unknown): string {
  const out: string[] = [];
  // What is still to write, last first: values, and literal text (brackets, commas, keys).
  const todo: ({ text: string } | { value: unknown })[] = [{ value: root }];
  for (let item = todo.pop(); item; item = todo.pop()) {
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const value = item.value;
    if (!isContainer(value)) {
      out.push(JSON.stringify(value) ?? 'null');
      continue;
    }
    const array = Array.isArray(value);
    const entries = array ? value.map((v) => ['', v] as const) : Object.entries(value);
    out.push(array ? '[' : '{');
    todo.push({ text: array ? ']' : '}' });
    for (let i = entries.length - 1; i >= 0; i--) {
      const [name, v] = entries[i]!;
      todo.push({ value: v });
      if (!array) todo.push({ text: `${JSON.stringify(name)}:` });
      if (i > 0) todo.push({ text: ',' });
    }
  }
  return out.join('');
}

/** JSON.stringify for a parsed JSON value, at any depth. */
export function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof RangeError) return stringifyDeep(value);
    throw error;
  }
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** JSON text with its escapes (`\u00e9`, `\"`, `\/`) read as the characters they stand for, wherever they are. */
export function unescapeJson(source: string): string {
  return source.replace(/\\(u[0-9a-fA-F]{4}|[^])/g, (_m, escape: string) =>
    escape.length === 5 ? String.fromCharCode(parseInt(escape.slice(1), 16)) : (ESCAPES[escape] ?? escape),
  );
}
