import { argumentsNameTheProgram, variableDecidesDestination } from '../config/destination.js';
import type { TokenType } from '../tokens/model.js';
import { usesClientVariable, type ClientDef, type EntryRewrite, type Launch, type ServerSpec } from './catalog.js';
import type { Launcher } from './launcher.js';
import { describeField, fieldsOf, type FieldRef, type Finding, type FoundServer } from './scan.js';
import { headerArgument } from './secrets.js';

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
  /** Arguments that will hold a secret on the server's command line, which other local users can read. */
  argv: FieldRef[];
  /** mcp-remote `--header` arguments whose value goes to mcp-remote in a variable of its environment instead. */
  movedHeaders: { field: FieldRef; variable: string }[];
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
  if (f.part === 'args') return finding.match.subject !== undefined ? slug(finding.match.subject) : `arg-${f.index}`;
  if (f.part === 'url') {
    const param = /^URL parameter (.+)$/.exec(finding.match.label);
    return param ? `url-${slug(param[1]!)}` : finding.match.label === 'password in the URL' ? 'url-password' : 'url';
  }
  if (f.part === 'raw') return slug(f.path.join('-'));
  return f.part === 'comment' ? `comment-${f.line}` : f.part;
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

const sameField = (a: FieldRef, b: FieldRef) => describeField(a) === describeField(b);

/** `base`, or `base_2`, `base_3`...: the first that is not taken (then taken). */
function freeName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

/** The name of the variable that carries a field the client expands itself. */
function passName(field: FieldRef, taken: Set<string>): string {
  if (field.part === 'env' && VARIABLE.test(field.key)) return freeName(field.key, taken);
  const suffix =
    field.part === 'args' ? `ARG_${field.index}` : field.part === 'env' || field.part === 'headers' ? `${field.part.toUpperCase()}_${field.key}` : field.part;
  return freeName(`MCP_PASS_${suffix.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`, taken);
}

/**
 * Whether a field decides where an entry's secrets go: the URL it connects to, the program that
 * runs (command, directory, and the arguments of a program that runs what they name), a variable
 * that names a place or changes the program.
 */
function decidesDestination(field: FieldRef, spec: ServerSpec): boolean {
  if (field.part === 'url' || field.part === 'command' || field.part === 'cwd') return true;
  if (field.part === 'args') return argumentsNameTheProgram(spec.command ?? '');
  return field.part === 'env' && variableDecidesDestination(field.key);
}

/** mcp-remote, started by its name or path, or through npx/bunx/pnpm dlx (`mcp-remote`, `mcp-remote@0.1.38`), before argument `before`. */
function runsMcpRemote(spec: ServerSpec, before: number): boolean {
  return [spec.command ?? '', ...spec.args.slice(0, before)].some(
    (p) => /(?:^|[/\\])mcp-remote(?:@[^/\\]*)?(?:\.cmd|\.exe|\.js)?$/i.test(p) || /[/\\]mcp-remote[/\\]dist[/\\]proxy\.js$/i.test(p),
  );
}

/**
 * mcp-remote's `--header "Name: value"`: mcp-remote replaces `${VAR}` in a header argument by its
 * own environment's VAR (its README's way around clients that split arguments at spaces). So the
 * argument becomes `Name:${VAR}` and the value with its secret goes into the entry's env, which
 * other local users cannot read, while a command line they can.
 */
function mcpRemoteHeader(spec: ServerSpec, index: number, taken: Set<string>): { variable: string; valueStart: number; name: string } | undefined {
  if (spec.transport !== 'stdio' || index === 0 || spec.args[index - 1] !== '--header' || !runsMcpRemote(spec, index - 1)) return undefined;
  const header = headerArgument(spec.args[index]!);
  if (!header) return undefined;
  const base = header.name.toLowerCase() === 'authorization' ? 'AUTH_HEADER' : `${header.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_HEADER`;
  return { variable: freeName(base, taken), valueStart: header.valueStart, name: header.name };
}

/** A value with each of its secrets (at `from` onwards) replaced by the reference to its token, the rest kept literal. */
function withReferences(value: string, mine: PlannedToken[], from = 0): () => string {
  return () => {
    let out = '';
    let at = from;
    for (const t of mine) {
      out += literal(value.slice(at, t.finding.match.start)) + `\${TOKEN:${t.namespace}:${t.name}}`;
      at = t.finding.match.end;
    }
    return out + literal(value.slice(at));
  };
}

/** The text of a value without the spans of its secrets (what is left to be the client's own). */
function withoutSecrets(value: string, mine: PlannedToken[]): string {
  let out = '';
  let at = 0;
  for (const t of mine) {
    out += value.slice(at, t.finding.match.start);
    at = t.finding.match.end;
  }
  return out + value.slice(at);
}

/**
 * How a server becomes an entry of server_config.json with `${TOKEN:...}` in place of its secrets,
 * or why it cannot. A value the client expands itself (`${input:key}`, `${env:X}`, `${workspaceFolder}`)
 * stays with the client, in the environment it gives `mcp-cli run`, and the entry reads it from there;
 * except where it decides the destination of an entry that carries a secret: whoever launches
 * `mcp-cli run` with that variable set would receive the secret, so such a server is not moved.
 * `${input:id}` of an input whose default is a secret is that secret, moved like the others.
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
  const passThrough = new Map<string, string>();
  const taken = new Set([...Object.keys(spec.env), ...spec.envKeys]);
  const templates = new Map<string, () => string>();
  const headerEnv: [string, () => string][] = [];
  const movedHeaders: { field: FieldRef; variable: string }[] = [];
  const argv: FieldRef[] = [];
  for (const { field, value } of fieldsOf(spec)) {
    const mine = tokens.filter((t) => sameField(t.field, field)).sort((a, b) => a.finding.match.start - b.finding.match.start);
    if (usesClientVariable(client, withoutSecrets(value, mine))) {
      if (mine.length > 0) return { unsupported: `${describeField(field)} mixes a secret with a ${client.name} variable` };
      if (tokens.length > 0 && decidesDestination(field, spec))
        return {
          unsupported: `its ${describeField(field)} comes from a ${client.name} variable, and it carries a secret: whoever sets that variable for mcp-cli run would receive the secret (write the value out in the file to import it)`,
        };
      if (field.part === 'env') taken.delete(field.key);
      const name = passName(field, taken);
      passThrough.set(name, value);
      templates.set(describeField(field), () => `\${${name}}`);
      continue;
    }
    const header = field.part === 'args' && mine.length > 0 ? mcpRemoteHeader(spec, field.index, taken) : undefined;
    if (header) {
      headerEnv.push([header.variable, withReferences(value, mine, header.valueStart)]);
      movedHeaders.push({ field, variable: header.variable });
      templates.set(describeField(field), () => literal(`${header.name}:\${${header.variable}}`));
      continue;
    }
    if (field.part === 'args' && mine.length > 0) argv.push(field);
    templates.set(describeField(field), withReferences(value, mine));
  }
  for (const key of spec.envKeys) passThrough.set(key, '');
  const text = (field: FieldRef) => templates.get(describeField(field))!();
  const configEntry = () => {
    const envEntries: [string, string][] = [
      ...Object.keys(spec.env).map((key): [string, string] => [key, text({ part: 'env', key })]),
      ...spec.envKeys.filter((k) => !Object.hasOwn(spec.env, k)).map((key): [string, string] => [key, `\${${key}}`]),
      ...headerEnv.map(([key, template]): [string, string] => [key, template()]),
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
  return { tokens, configEntry, passThrough: Object.fromEntries(passThrough), argv, movedHeaders };
}

/**
 * The client's entry to launch `mcp-cli run NAME`, in its own shape. `forward`: mcp-cli's own
 * variables to hand on, for a client that does not give its servers its whole environment.
 */
export function rewriteFor(
  client: ClientDef,
  raw: Record<string, unknown>,
  launcher: Launcher,
  serverName: string,
  passThrough: Record<string, string>,
  forward: string[] = [],
): EntryRewrite {
  const forwarded = client.inheritsEnvironment ? [] : forward;
  const reference = client.reference;
  const env = {
    ...(reference ? Object.fromEntries(forwarded.map((name) => [name, reference(name)])) : {}),
    // goose's env_keys and Codex's env_vars stay in the entry: the client itself puts those variables in the environment.
    ...Object.fromEntries(Object.entries(passThrough).filter(([, v]) => v !== '')),
  };
  const launch: Launch = { command: launcher.command, args: [...launcher.args, 'run', serverName], env, forward: forwarded };
  return client.rewrite(launch, raw);
}

/** The entry after a rewrite: removed keys gone, set keys where they were (new ones at the end), the rest as it was. */
export function rewritten(raw: Record<string, unknown>, rewrite: EntryRewrite): Record<string, unknown> {
  const kept = Object.entries(raw)
    .filter(([key]) => !rewrite.remove.includes(key))
    .map(([key, value]): [string, unknown] => [key, Object.hasOwn(rewrite.set, key) ? rewrite.set[key] : value]);
  const added = Object.entries(rewrite.set).filter(([key]) => !Object.hasOwn(raw, key));
  return Object.fromEntries([...kept, ...added]);
}
