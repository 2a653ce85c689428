/**
 * What looks like a plaintext secret in an MCP client's config: a value under a key that names one
 * (`*TOKEN*`, `*KEY*`, `*SECRET*`, `*PASSWORD*`, `Authorization`), or a value shaped like one (`sk-...`,
 * `ghp_...`, `xoxb-...`, `AKIA...`, a JWT, a long random string, the password of a URL such as a
 * connection string, the credentials after `Bearer`). Paths, URLs, numbers, booleans, placeholders
 * and references are not secrets. Nothing here prints or stores a value.
 */

/** Which namespace a secret goes to: api-key for keys, bearer for tokens and Authorization, generic otherwise. */
export type SecretKind = 'api-key' | 'bearer' | 'generic';

export interface SecretMatch {
  /** Where in the string the secret is: the whole value, or a part (`Bearer <token>`, `--key=<key>`, `?token=<t>`). */
  start: number;
  end: number;
  kind: SecretKind;
  /** `name` when the key said so, else `shape`. */
  by: 'name' | 'shape';
  /** What it looks like, for people: `GitHub token`, `JWT`, `named API_KEY`. */
  label: string;
  /** A provider mcp-cli can validate keys of (openai, anthropic, google, mistral), when the name or shape tells. */
  provider?: string;
  /** What it was found under, to name its token after: a flag (`api-key`), a header (`Authorization`). */
  subject?: string;
}

interface Shape {
  label: string;
  kind: SecretKind;
  provider?: string;
  pattern: RegExp;
}

// Prefixes that providers put on their credentials, so that secret scanners can find them.
const SHAPES: Shape[] = [
  { label: 'Anthropic key', kind: 'api-key', provider: 'anthropic', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { label: 'OpenAI-style key (sk-)', kind: 'api-key', provider: 'openai', pattern: /\bsk-(?!ant-)[A-Za-z0-9_-]{20,}/g },
  { label: 'GitHub token', kind: 'bearer', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { label: 'Slack token', kind: 'bearer', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { label: 'AWS access key ID', kind: 'api-key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { label: 'Google API key', kind: 'api-key', provider: 'google', pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { label: 'GitLab token', kind: 'bearer', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { label: 'Stripe key', kind: 'api-key', pattern: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { label: 'npm token', kind: 'bearer', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { label: 'JWT', kind: 'bearer', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
];

/** The words of a key: `GITHUB_PERSONAL_ACCESS_TOKEN`, `apiKey`, `X-Api-Key` → upper-case words. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toUpperCase());
}

const KEY_WORDS = new Set(['KEY', 'KEYS', 'APIKEY', 'APIKEYS']);
const TOKEN_WORDS = new Set(['TOKEN', 'TOKENS', 'PAT', 'AUTHORIZATION', 'BEARER']);
const OTHER_WORDS = new Set(['SECRET', 'SECRETS', 'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASSPHRASE', 'PWD', 'CREDENTIAL', 'CREDENTIALS', 'COOKIE']);

/** The kind a key's name says its value is, or undefined when the name says nothing. */
export function kindOfKey(key: string): SecretKind | undefined {
  const all = words(key);
  // Compounds without separators (`accesstoken`, `clientsecret`): only endings, so that MONKEY or KEYBOARD stay names.
  const ends = (suffix: string) => all.some((w) => w.length > suffix.length && w.endsWith(suffix));
  if (all.some((w) => KEY_WORDS.has(w)) || ends('APIKEY')) return 'api-key';
  if (all.some((w) => TOKEN_WORDS.has(w)) || ends('TOKEN')) return 'bearer';
  if (all.some((w) => OTHER_WORDS.has(w)) || ends('SECRET') || ends('PASSWORD')) return 'generic';
  return undefined;
}

const PROVIDERS = ['openai', 'anthropic', 'google', 'gemini', 'mistral'];

function providerOfKey(key: string): string | undefined {
  const first = words(key)[0]?.toLowerCase();
  return first && PROVIDERS.includes(first) ? first : undefined;
}

// Placeholders are words: `your-api-key`, `YOUR_TOKEN_HERE`, `<key>`. `my_Passw0rd!2024` is not one.
const PLACEHOLDER =
  /^(?:<[^>]*>|\[[^\]]*\]|x{3,}|\*{3,}|\.{3,}|(?:your|my)[-_ ][A-Za-z _-]*|[A-Za-z _-]*[-_ ]here|changeme|change[-_]me|placeholder|example|dummy|test|todo|tbd|none|null|undefined|redacted)$/i;
const NOT_SECRET_WORDS = /^(?:true|false|yes|no|on|off|enabled|disabled)$/i;
const NUMBER = /^[-+]?\d+(?:\.\d+)?$/;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const PATH_LIKE = /^(?:~|\.{1,2})?[/\\]|^[A-Za-z]:[/\\]/;
const PATH_ROOT = /^[/\\](?:home|Users|usr|opt|var|etc|tmp|run|mnt|srv|Library|Applications|Volumes|private|root|nix|snap|media|proc|dev)(?:[/\\]|$)/;
const PASSWORD_WORDS = new Set(['PASSWORD', 'PASSWORDS', 'PASSWD', 'PASSPHRASE', 'PWD', 'PASS']);

/** A key whose last word is a password's: its value is one even with spaces, or digits only. */
function namesPassword(key: string): boolean {
  const last = words(key).at(-1);
  return last !== undefined && (PASSWORD_WORDS.has(last) || (last.length > 8 && last.endsWith('PASSWORD')));
}

/**
 * A path, unless it is a random string that happens to start with "/" (about 1 in 64 AWS secret
 * access keys does): no dot, space or "~", no usual root directory, and random-looking without its slashes.
 */
function readsAsPath(value: string): boolean {
  if (!PATH_LIKE.test(value)) return false;
  if (/[.\s~:]/.test(value) || PATH_ROOT.test(value)) return true;
  return !highEntropy(value.replace(/[/\\]/g, ''));
}

/**
 * Whether a value under a secret-looking key is itself plausibly a secret: not empty, not a
 * reference, a boolean, a URL, a path, a placeholder, or prose or a number (except under a key
 * that names a password, where any value is the password).
 */
export function plausibleSecret(value: string, key = ''): boolean {
  const v = value.trim();
  if (v.length < 4 || v.includes('${')) return false;
  const password = namesPassword(key);
  if (/\s/.test(v) && !password) return false;
  if (NUMBER.test(v) && !password) return false;
  return !(NOT_SECRET_WORDS.test(v) || URL_LIKE.test(v) || readsAsPath(v) || PLACEHOLDER.test(v));
}

function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/**
 * A long random-looking word: 32 or more characters of a base64 alphabet, with upper and lower case
 * letters and digits, and close to random (Shannon entropy of 4.2 bits per character or more). Hex
 * strings (hashes, commit ids) and UUIDs stay below, and so do words and paths.
 */
function highEntropy(word: string): boolean {
  return word.length >= 32 && /^[A-Za-z0-9+/=_-]+$/.test(word) && /[a-z]/.test(word) && /[A-Z]/.test(word) && /\d/.test(word) && entropy(word) >= 4.2;
}

/** Secrets found in a string by their shape alone, wherever they are in it. */
export function findByShape(value: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  for (const shape of SHAPES) {
    for (const m of value.matchAll(shape.pattern)) {
      found.push({
        start: m.index,
        end: m.index + m[0].length,
        kind: shape.kind,
        by: 'shape',
        label: shape.label,
        ...(shape.provider ? { provider: shape.provider } : {}),
      });
    }
  }
  found.push(...urlPasswords(value), ...schemeCredentials(value));
  for (const m of value.matchAll(/[A-Za-z0-9+/=_-]{32,}/g)) {
    if (!m[0].startsWith('/') && highEntropy(m[0]))
      found.push({ start: m.index, end: m.index + m[0].length, kind: 'generic', by: 'shape', label: 'long random string' });
  }
  return withoutOverlaps(found);
}

/** `$VAR` and `%VAR%`: a shell's or Windows' reference, not a password. */
const SHELL_REFERENCE = /^(?:\$[A-Za-z_]\w*|\$\{[^}]*\}|%[A-Za-z_]\w*%)$/;

/**
 * The password of every URL in a string (`postgresql://admin:pw@host/db`, `redis://:pw@cache`,
 * an argument `--db=mysql://...`): the user info ends at the last "@" of the authority, and its
 * password after the first ":". Any length counts: the URL's shape says it is a password.
 */
function urlPasswords(value: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  for (const m of value.matchAll(/\b([a-z][a-z0-9+.-]*):\/\/([^\s/?#'"`<>]*)/gi)) {
    const authority = m[2]!;
    const userinfo = authority.slice(0, Math.max(authority.lastIndexOf('@'), 0));
    const colon = userinfo.indexOf(':');
    if (colon < 0) continue;
    const password = userinfo.slice(colon + 1);
    if (password === '' || password.includes('${') || SHELL_REFERENCE.test(password) || PLACEHOLDER.test(password)) continue;
    const start = m.index + m[1]!.length + 3 + colon + 1;
    found.push({ start, end: start + password.length, kind: 'generic', by: 'shape', label: 'password in the URL', subject: 'url-password' });
  }
  return found;
}

/** `Bearer <credentials>` and `Basic <credentials>` anywhere: an Authorization value kept in a variable (mcp-remote's `AUTH_HEADER`). */
function schemeCredentials(value: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  for (const m of value.matchAll(/\b(Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{8,})(?![^\s"',;])/gi)) {
    // A word is prose ("Basic authentication"); credentials hold a digit or a symbol.
    if (!/[\d._~+/=-]/.test(m[2]!)) continue;
    const start = m.index + m[0].length - m[2]!.length;
    found.push({ start, end: start + m[2]!.length, kind: 'bearer', by: 'shape', label: `${m[1]} credentials` });
  }
  return found;
}

/** The earliest of overlapping matches wins (the first shape in the table, then the longest). */
function withoutOverlaps(matches: SecretMatch[]): SecretMatch[] {
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const kept: SecretMatch[] = [];
  for (const m of sorted) if (!kept.some((k) => m.start < k.end && k.start < m.end)) kept.push(m);
  return kept;
}

/**
 * A value under a key: the whole value when the key names a secret and the value is plausible;
 * else whatever has the shape of one inside it.
 */
export function findInKeyed(key: string, value: string): SecretMatch[] {
  const byName = kindOfKey(key);
  if (byName && plausibleSecret(value, key)) {
    const shape = findByShape(value).find((m) => m.start === 0 && m.end === value.length);
    const provider = (byName === 'api-key' ? (providerOfKey(key) ?? shape?.provider) : undefined) ?? undefined;
    const start = value.length - value.trimStart().length;
    return [{ start, end: value.trimEnd().length, kind: byName, by: 'name', label: `named ${key}`, ...(provider ? { provider } : {}) }];
  }
  return findByShape(value);
}

const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization']);

/** An HTTP header: the credentials of `Authorization: <scheme> <credentials>` are a bearer token, other headers as keyed values. */
export function findInHeader(name: string, value: string): SecretMatch[] {
  if (!AUTH_HEADERS.has(name.toLowerCase())) return findInKeyed(name, value);
  const m = /^\s*(?:([A-Za-z][A-Za-z0-9._~+-]*)\s+)?(\S+)\s*$/.exec(value);
  if (!m || m[2]!.includes('${') || m[2]!.length < 4) return findByShape(value);
  const start = value.indexOf(m[2]!, m[1] ? value.indexOf(m[1]) + m[1].length : 0);
  return [{ start, end: start + m[2]!.length, kind: 'bearer', by: 'name', label: `${name} header` }];
}

/** The flags that give an HTTP header as `Name: value` (mcp-remote's `--header`, curl's `-H`). */
const HEADER_FLAGS = new Set(['--header', '-H', '--headers']);

/** `Name: value` or `Name:value`: the header's name and where its value starts. */
export function headerArgument(arg: string): { name: string; valueStart: number } | undefined {
  const m = /^([A-Za-z0-9_-]+):\s*/.exec(arg);
  return m ? { name: m[1]!, valueStart: m[0].length } : undefined;
}

function findInHeaderArgument(text: string, offset: number): SecretMatch[] | undefined {
  const header = headerArgument(text);
  if (!header) return undefined;
  const found = findInHeader(header.name, text.slice(header.valueStart));
  const at = offset + header.valueStart;
  return found.map((m) => ({ ...m, start: m.start + at, end: m.end + at, subject: header.name }));
}

/**
 * Command-line arguments: `--api-key=VALUE`, `--token VALUE` (the next argument) by the flag's
 * name, the credentials of `--header "Authorization: Bearer ..."`, and anything shaped like a
 * secret. Returns the matches of each argument, by index.
 */
export function findInArgs(args: readonly string[]): Map<number, SecretMatch[]> {
  const out = new Map<number, SecretMatch[]>();
  args.forEach((arg, i) => {
    const set = (matches: SecretMatch[]) => {
      if (matches.length > 0) out.set(i, matches);
    };
    const headerFlag = /^(--header|-H|--headers)=(.*)$/s.exec(arg);
    const header =
      i > 0 && HEADER_FLAGS.has(args[i - 1]!)
        ? findInHeaderArgument(arg, 0)
        : headerFlag
          ? findInHeaderArgument(headerFlag[2]!, headerFlag[1]!.length + 1)
          : undefined;
    if (header) return set(header);
    const inline = /^--?([A-Za-z][A-Za-z0-9_-]*)=(.*)$/s.exec(arg);
    if (inline && kindOfKey(inline[1]!) && plausibleSecret(inline[2]!, inline[1]!)) {
      const start = arg.length - inline[2]!.length;
      out.set(i, [{ start, end: arg.length, kind: kindOfKey(inline[1]!)!, by: 'name', label: `--${inline[1]}`, subject: inline[1]! }]);
      return;
    }
    const flag = i > 0 ? /^--?([A-Za-z][A-Za-z0-9_-]*)$/.exec(args[i - 1]!) : null;
    if (flag && kindOfKey(flag[1]!) && !arg.startsWith('-') && plausibleSecret(arg, flag[1]!)) {
      out.set(i, [{ start: 0, end: arg.length, kind: kindOfKey(flag[1]!)!, by: 'name', label: `after ${args[i - 1]}`, subject: flag[1]! }]);
      return;
    }
    const shaped = findByShape(arg);
    if (shaped.length > 0) out.set(i, shaped);
  });
  return out;
}

/** A URL: the password of its user info, query parameters named like secrets, and secret shapes anywhere in it. */
export function findInUrl(url: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  const query = url.indexOf('?');
  if (query >= 0) {
    const end = url.indexOf('#', query);
    let offset = query + 1;
    for (const pair of url.slice(query + 1, end < 0 ? undefined : end).split('&')) {
      const eq = pair.indexOf('=');
      if (eq > 0) {
        const key = decodeURIComponentSafe(pair.slice(0, eq));
        const value = pair.slice(eq + 1);
        const kind = kindOfKey(key);
        if (kind && plausibleSecret(decodeURIComponentSafe(value), key))
          found.push({ start: offset + eq + 1, end: offset + pair.length, kind, by: 'name', label: `URL parameter ${key}` });
      }
      offset += pair.length + 1;
    }
  }
  return withoutOverlaps([...found, ...findByShape(url)]);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Free text (a comment): secret shapes, and `NAME=value` / `"NAME": "value"` pairs whose name
 * says secret. In prose a pair's value must hold a letter and a digit (`password: required` is
 * not one) unless its shape says it is a secret.
 */
export function findInText(text: string): SecretMatch[] {
  const found = findByShape(text);
  const pairs = /(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\1\s*[:=]\s*(["']?)([^\s"',;]+)\3/g;
  for (let m = pairs.exec(text); m !== null; m = pairs.exec(text)) {
    const key = m[2]!;
    const value = m[4]!;
    const start = m.index + m[0].length - value.length - m[3]!.length;
    // A value may be the name of the next pair (`# old: api_key = "..."`): the search goes on from it.
    pairs.lastIndex = start;
    const kind = kindOfKey(key);
    if (!kind || !plausibleSecret(value, key) || !/[A-Za-z]/.test(value) || !/\d/.test(value)) continue;
    found.push({ start, end: start + value.length, kind, by: 'name', label: `named ${key}` });
  }
  return withoutOverlaps(found);
}

/** Every secret in parsed JSON or YAML data, wherever it stands: by its key's name, or by its shape. */
export function secretsInData(data: unknown, key = ''): string[] {
  if (typeof data === 'string') return findInKeyed(key, data).map((m) => data.slice(m.start, m.end));
  if (Array.isArray(data)) return data.flatMap((item) => secretsInData(item, key));
  if (data !== null && typeof data === 'object') return Object.entries(data).flatMap(([k, v]) => secretsInData(v, k));
  return [];
}

/**
 * What may be shown of a secret: at most its first 3 and last 4 characters, and only for a value
 * long enough that those say little about the rest (24 characters or more).
 */
export function maskedHint(value: string): string {
  return value.length >= 24 ? `${value.slice(0, 3)}…${value.slice(-4)}` : '…';
}
