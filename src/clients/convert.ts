import type { TokenType } from '../tokens/model.js';
import type { ClientDef, EntryRewrite, Launch, ServerSpec } from './catalog.js';
import type { Launcher } from './launcher.js';
import { describeField, type FieldRef, type Finding, type FoundServer } from './scan.js';

/** A secret to move into the store, and where it was. */
export interface PlannedToken {
  field: FieldRef;
  finding: Finding;
  type: TokenType;
  namespace: string;
  /** Derived from the server and the key; the final name once clashes are resolved. */
  name: string;
  provider?: string;
}

/** One server of a client's file, moved: its tokens, its server_config.json entry, the client's new entry. */
export interface Conversion {
  tokens: PlannedToken[];
  /** Builds the server_config.json entry once the token names are final. */
  configEntry(): Record<string, unknown>;
  /** Variables the client keeps and hands to `mcp-cli run` (its own `${...}` values, goose's env_keys). */
  passThrough: Record<string, string>;
}

const TYPE_OF = { 'api-key': 'api-key', bearer: 'bearer', generic: 'generic' } as const satisfies Record<string, TokenType>;

/** A name part: lower case, `-` for anything a token name cannot hold. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[-.]+|-+$/g, '') || 'x'
  );
}

function fieldSlug(finding: Finding): string {
  const f = finding.field;
  if (f.part === 'env' || f.part === 'headers') return slug(f.key);
  if (f.part === 'args') {
    const flag = /^(?:after )?--?([A-Za-z][A-Za-z0-9_-]*)$/.exec(finding.match.label);
    return flag ? slug(flag[1]!) : `arg-${f.index}`;
  }
  if (f.part === 'url') {
    const param = /^URL parameter (.+)$/.exec(finding.match.label);
    return param ? `url-${slug(param[1]!)}` : finding.match.label === 'password in the URL' ? 'url-password' : 'url';
  }
  return f.part === 'raw' ? slug(f.path.join('-')) : f.part;
}

/**
 * `github` + `GITHUB_TOKEN` → `github-token`; `notes` + `API_KEY` → `notes-api-key`. A server renamed
 * on import (`github-2`) names its tokens after the new name: `github-2-token`.
 */
export function tokenName(server: string, finding: Finding, original = server): string {
  const s = slug(server);
  const o = slug(original);
  const f = fieldSlug(finding);
  const rest = f === o ? '' : f.startsWith(`${o}-`) ? f.slice(o.length + 1) : f;
  return (rest === '' ? s : `${s}-${rest}`).slice(0, 128);
}

/** Text to keep literal in a server_config.json string: `${` is written `$${`, and each `$` before a `{` doubled. */
export function literal(text: string): string {
  return text.replace(/(\$+)\{/g, (_m, dollars: string) => `${dollars}${dollars}{`);
}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

type StringField = { field: FieldRef; value: string };

function fieldsOf(spec: ServerSpec): StringField[] {
  const out: StringField[] = [];
  if (spec.command !== undefined) out.push({ field: { part: 'command' }, value: spec.command });
  spec.args.forEach((value, index) => out.push({ field: { part: 'args', index }, value }));
  for (const [key, value] of Object.entries(spec.env)) out.push({ field: { part: 'env', key }, value });
  if (spec.cwd !== undefined) out.push({ field: { part: 'cwd' }, value: spec.cwd });
  if (spec.url !== undefined) out.push({ field: { part: 'url' }, value: spec.url });
  for (const [key, value] of Object.entries(spec.headers)) out.push({ field: { part: 'headers', key }, value });
  return out;
}

const sameField = (a: FieldRef, b: FieldRef) => describeField(a) === describeField(b);

/** The name of the variable that carries a field the client expands itself. */
function passName(field: FieldRef, taken: Set<string>): string {
  let base: string;
  if (field.part === 'env' && VARIABLE.test(field.key)) base = field.key;
  else {
    const suffix =
      field.part === 'args' ? `ARG_${field.index}` : field.part === 'env' || field.part === 'headers' ? `${field.part.toUpperCase()}_${field.key}` : field.part;
    base = `MCP_PASS_${suffix.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
  }
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

/**
 * How a server becomes an entry of server_config.json with `${TOKEN:...}` in place of its secrets,
 * or why it cannot. A value the client expands itself (`${input:key}`, `${env:X}`, `${workspaceFolder}`)
 * stays with the client, in the environment it gives `mcp-cli run`, and the entry reads it from there.
 */
export function convert(client: ClientDef, server: FoundServer): Conversion | { unsupported: string } {
  const spec = server.spec;
  if (!spec) return { unsupported: server.unsupported ?? 'its shape is not known' };
  if (spec.envFile !== undefined) return { unsupported: `its values come partly from envFile ${spec.envFile}, which mcp-cli does not read` };
  const raw = server.findings.find((f) => f.field.part === 'raw');
  if (raw) return { unsupported: `a secret is in ${describeField(raw.field)}, which mcp-cli cannot carry over` };
  const tokens: PlannedToken[] = server.findings.map((finding) => ({
    field: finding.field,
    finding,
    type: TYPE_OF[finding.match.kind],
    namespace: TYPE_OF[finding.match.kind],
    name: tokenName(server.name, finding),
    ...(finding.match.kind === 'api-key' && finding.match.provider ? { provider: finding.match.provider } : {}),
  }));
  const passThrough: Record<string, string> = {};
  const taken = new Set([...Object.keys(spec.env), ...spec.envKeys]);
  const templates = new Map<string, () => string>();
  for (const { field, value } of fieldsOf(spec)) {
    const mine = tokens.filter((t) => sameField(t.field, field)).sort((a, b) => a.finding.match.start - b.finding.match.start);
    if (client.interpolates && value.includes('${')) {
      if (mine.length > 0) return { unsupported: `${describeField(field)} mixes a secret with a ${client.name} variable` };
      if (field.part === 'env') taken.delete(field.key);
      const name = passName(field, taken);
      passThrough[name] = value;
      templates.set(describeField(field), () => `\${${name}}`);
      continue;
    }
    templates.set(describeField(field), () => {
      let out = '';
      let at = 0;
      for (const t of mine) {
        out += literal(value.slice(at, t.finding.match.start)) + `\${TOKEN:${t.namespace}:${t.name}}`;
        at = t.finding.match.end;
      }
      return out + literal(value.slice(at));
    });
  }
  for (const key of spec.envKeys) passThrough[key] = '';
  const text = (field: FieldRef) => templates.get(describeField(field))!();
  const configEntry = () => {
    const envEntries: [string, string][] = [
      ...Object.keys(spec.env).map((key): [string, string] => [key, text({ part: 'env', key })]),
      ...spec.envKeys.filter((k) => !Object.hasOwn(spec.env, k)).map((key): [string, string] => [key, `\${${key}}`]),
    ];
    if (spec.transport === 'stdio') {
      return {
        command: text({ part: 'command' }),
        ...(spec.args.length > 0 ? { args: spec.args.map((_, index) => text({ part: 'args', index })) } : {}),
        ...(envEntries.length > 0 ? { env: Object.fromEntries(envEntries) } : {}),
        ...(spec.cwd !== undefined ? { cwd: text({ part: 'cwd' }) } : {}),
      };
    }
    const headers = Object.keys(spec.headers).map((key): [string, string] => [key, text({ part: 'headers', key })]);
    return {
      url: text({ part: 'url' }),
      ...(spec.transport === 'sse' ? { transport: 'sse' } : {}),
      ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
    };
  };
  return { tokens, configEntry, passThrough };
}

/** The client's entry to launch `mcp-cli run NAME`, in its own shape. */
export function rewriteFor(
  client: ClientDef,
  raw: Record<string, unknown>,
  launcher: Launcher,
  serverName: string,
  passThrough: Record<string, string>,
): EntryRewrite {
  // goose's env_keys stay in its entry: goose itself puts those variables in the environment.
  const env = Object.fromEntries(Object.entries(passThrough).filter(([, v]) => v !== ''));
  const launch: Launch = { command: launcher.command, args: [...launcher.args, 'run', serverName], env };
  return client.rewrite(launch, raw);
}

/** The entry after a rewrite: removed keys gone, set keys where they were (new ones at the end), the rest as it was. */
export function rewritten(raw: Record<string, unknown>, rewrite: EntryRewrite): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (rewrite.remove.includes(key)) continue;
    out[key] = key in rewrite.set ? rewrite.set[key] : value;
  }
  for (const [key, value] of Object.entries(rewrite.set)) if (!(key in out)) out[key] = value;
  return out;
}
