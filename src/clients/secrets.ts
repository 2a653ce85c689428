/**
 * What looks like a plaintext secret in an MCP client's config: a value under a key that names one
 * (`*TOKEN*`, `*KEY*`, `*SECRET*`, `*PASSWORD*`, `Authorization`), or a value shaped like one (`sk-...`,
 * `ghp_...`, `xoxb-...`, `AKIA...`, a JWT, a long random string). Paths, URLs, numbers, booleans,
 * placeholders and references are not secrets. Nothing here prints or stores a value.
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

const PLACEHOLDER =
  /^(?:<[^>]*>|\[[^\]]*\]|x{3,}|\*{3,}|\.{3,}|your[-_ ].*|my[-_ ].*|.*[-_]here|changeme|change[-_]me|placeholder|example|dummy|test|todo|tbd|none|null|undefined|redacted)$/i;
const NOT_SECRET_WORDS = /^(?:true|false|yes|no|on|off|enabled|disabled)$/i;
const NUMBER = /^[-+]?\d+(?:\.\d+)?$/;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const PATH_LIKE = /^(?:~|\.{1,2})?[/\\]|^[A-Za-z]:[/\\]/;

/**
 * Whether a value under a secret-looking key is itself plausibly a secret: not empty, not a
 * reference, a number, a boolean, a URL, a path, a placeholder or prose.
 */
export function plausibleSecret(value: string): boolean {
  const v = value.trim();
  if (v.length < 4 || v.includes('${')) return false;
  if (/\s/.test(v)) return false;
  return !(NUMBER.test(v) || NOT_SECRET_WORDS.test(v) || URL_LIKE.test(v) || PATH_LIKE.test(v) || PLACEHOLDER.test(v));
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
  return (
    word.length >= 32 &&
    /^[A-Za-z0-9+/=_-]+$/.test(word) &&
    !word.startsWith('/') &&
    /[a-z]/.test(word) &&
    /[A-Z]/.test(word) &&
    /\d/.test(word) &&
    entropy(word) >= 4.2
  );
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
  for (const m of value.matchAll(/[A-Za-z0-9+/=_-]{32,}/g)) {
    if (highEntropy(m[0])) found.push({ start: m.index, end: m.index + m[0].length, kind: 'generic', by: 'shape', label: 'long random string' });
  }
  return withoutOverlaps(found);
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
  if (byName && plausibleSecret(value)) {
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

/**
 * Command-line arguments: `--api-key=VALUE`, `--token VALUE` (the next argument) by the flag's
 * name, and anything shaped like a secret. Returns the matches of each argument, by index.
 */
export function findInArgs(args: readonly string[]): Map<number, SecretMatch[]> {
  const out = new Map<number, SecretMatch[]>();
  args.forEach((arg, i) => {
    const inline = /^--?([A-Za-z][A-Za-z0-9_-]*)=(.*)$/s.exec(arg);
    if (inline && kindOfKey(inline[1]!) && plausibleSecret(inline[2]!)) {
      const start = arg.length - inline[2]!.length;
      out.set(i, [{ start, end: arg.length, kind: kindOfKey(inline[1]!)!, by: 'name', label: `--${inline[1]}` }]);
      return;
    }
    const flag = i > 0 ? /^--?([A-Za-z][A-Za-z0-9_-]*)$/.exec(args[i - 1]!) : null;
    if (flag && kindOfKey(flag[1]!) && !arg.startsWith('-') && plausibleSecret(arg)) {
      out.set(i, [{ start: 0, end: arg.length, kind: kindOfKey(flag[1]!)!, by: 'name', label: `after ${args[i - 1]}` }]);
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
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(url);
  if (userinfo) {
    const colon = userinfo[1]!.indexOf(':');
    if (colon >= 0 && colon < userinfo[1]!.length - 1) {
      const start = url.indexOf(userinfo[1]!) + colon + 1;
      found.push({ start, end: start + userinfo[1]!.length - colon - 1, kind: 'generic', by: 'name', label: 'password in the URL' });
    }
  }
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
        if (kind && plausibleSecret(decodeURIComponentSafe(value)))
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
