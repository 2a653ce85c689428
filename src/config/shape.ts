// A small validator for server_config.json, in place of a schema library: loading one cost every
// command that reads the config (mcp-cli run among them) tens of milliseconds at start. Messages name
// the expected type or values, never the value found, which may be a secret.

export interface Issue {
  path: PropertyKey[];
  message: string;
}

/** Checks `value` at `path`; on a mismatch records an issue and returns undefined. */
export type Shape<T> = (value: unknown, path: PropertyKey[], issues: Issue[]) => T | undefined;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(issues: Issue[], path: PropertyKey[], message: string): undefined {
  issues.push({ path, message });
  return undefined;
}

export function string(options: { nonEmpty?: boolean; pattern?: { test: RegExp; message: string } } = {}): Shape<string> {
  return (value, path, issues) => {
    if (typeof value !== 'string') return fail(issues, path, 'expected a string');
    if (options.nonEmpty && value === '') return fail(issues, path, 'expected a non-empty string');
    if (options.pattern && !options.pattern.test.test(value)) return fail(issues, path, options.pattern.message);
    return value;
  };
}

export function integer(min: number, max: number): Shape<number> {
  return (value, path, issues) => {
    if (typeof value !== 'number' || Number.isNaN(value)) return fail(issues, path, 'expected a number');
    if (!Number.isInteger(value) || value < min || value > max) return fail(issues, path, `expected a whole number from ${min} to ${max}`);
    return value;
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Shape<T> {
  return (value, path, issues) =>
    values.includes(value as T) ? (value as T) : fail(issues, path, `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
}

export const boolean: Shape<boolean> = (value, path, issues) => (typeof value === 'boolean' ? value : fail(issues, path, 'expected a boolean'));

/** An http:// or https:// URL. */
export const httpUrl: Shape<string> = (value, path, issues) => {
  if (typeof value !== 'string') return fail(issues, path, 'expected a string');
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) ? value : fail(issues, path, 'expected an http:// or https:// URL');
};

export function arrayOf<T>(item: Shape<T>): Shape<T[]> {
  return (value, path, issues) => {
    if (!Array.isArray(value)) return fail(issues, path, 'expected an array');
    const before = issues.length;
    const out = value.map((v, i) => item(v, [...path, i], issues));
    return issues.length === before ? (out as T[]) : undefined;
  };
}

export function recordOf<T>(item: Shape<T>): Shape<Record<string, T>> {
  return (value, path, issues) => {
    if (!isObject(value)) return fail(issues, path, 'expected an object');
    const before = issues.length;
    // fromEntries defines each key as an own property: an assignment would take `__proto__` for the prototype and drop it.
    const out = Object.fromEntries(Object.entries(value).map(([key, v]) => [key, item(v, [...path, key], issues) as T]));
    return issues.length === before ? out : undefined;
  };
}

/** Either of two shapes, tried in order; the second one's issue is reported when neither fits. */
export function either<A, B>(first: Shape<A>, second: Shape<B>): Shape<A | B> {
  return (value, path, issues) => {
    const tried: Issue[] = [];
    const a = first(value, path, tried);
    if (tried.length === 0) return a;
    return second(value, path, issues);
  };
}

type Fields<S> = { [K in keyof S]?: S[K] extends Shape<infer T> ? T : never };

/**
 * An object with these optional fields. `loose`: other fields are kept out of the result and
 * accepted (other clients' configs carry fields mcp-cli does not know); `strict`: they are an issue.
 */
export function object<S extends Record<string, Shape<unknown>>>(fields: S, mode: 'loose' | 'strict' = 'loose'): Shape<Fields<S>> {
  return (value, path, issues) => {
    if (!isObject(value)) return fail(issues, path, 'expected an object');
    const before = issues.length;
    const out: Record<string, unknown> = {};
    for (const [key, shape] of Object.entries(fields)) {
      if (value[key] === undefined) continue;
      const checked = shape(value[key], [...path, key], issues);
      if (checked !== undefined) out[key] = checked;
    }
    if (mode === 'strict') {
      const unknown = Object.keys(value).filter((key) => !Object.hasOwn(fields, key));
      if (unknown.length > 0)
        fail(issues, path, `unknown ${unknown.length === 1 ? 'setting' : 'settings'} ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
    }
    return issues.length === before ? (out as Fields<S>) : undefined;
  };
}
