import { dirname, resolve } from 'node:path';
import { CREDENTIAL_VARIABLES, credentialVariable } from '../credential-variables.js';
import { CliError, ExitCode } from '../errors.js';
import type { Env } from '../paths.js';
import { secretStrings, tokenFieldNames, tokenFieldValue } from '../tokens/fields.js';
import {
  isExpired,
  isOAuthNamespace,
  keyOf,
  PRIMARY_SECRET_FIELD,
  type StoredToken,
  type TokenKey,
  type TokenMetadata,
  type TokenType,
} from '../tokens/model.js';
import { variableDestination } from './destination.js';
import {
  describeReference,
  mayHoldReference,
  parseTemplate,
  ReferenceSyntaxError,
  renderSegments,
  type EnvReference,
  type Reference,
  type Segment,
  type TokenReference,
} from './references.js';
import type { AssertionSource, OAuthSettings, ServerEntry, TlsSettings } from './schema.js';
import { setCommand, typeForReference } from './set-hint.js';

/** Reads one token with its secret fields; `undefined` when there is none. */
export type TokenLookup = (key: TokenKey) => Promise<StoredToken | undefined>;

export interface ResolveDeps {
  /** Called once per distinct token, and only when some reference needs a token. */
  lookup: TokenLookup;
  env: Env;
  now: Date;
  /** How messages name where a reference sits; default `server 'NAME', FIELD` (`exec` names its variables instead). */
  where?: Where;
  /**
   * Lets a `${VAR}` decide the destination of an entry that carries a stored token: only for `exec`,
   * whose program is the one typed on its command line and inherits mcp-cli's environment anyway.
   */
  variablesMayDecideDestination?: boolean;
}

/** Names the place of a reference in messages. */
export type Where = (server: string, field: string) => string;

const inServer: Where = (server, field) => `server '${server}', ${field}`;

/** One use of a reference: where it sits (`headers.Authorization`, `args[1]`) and what it names. */
export interface ReferenceUse {
  field: string;
  reference: Reference;
}

export interface ResolvedServer {
  name: string;
  /** The entry with every reference replaced by its value. Never print it. */
  entry: ServerEntry;
  /** The entry with every reference replaced by a placeholder naming it: safe to print. */
  masked: ServerEntry;
  uses: ReferenceUse[];
  /** Every secret value that went into `entry`, for masking output that might echo them. */
  secrets: string[];
  /** The values `${VAR}` references took from the environment (a default written in the file is not among them). */
  variables: { name: string; value: string }[];
  /** The metadata of each distinct token the entry uses. */
  tokens: TokenMetadata[];
}

type StringMapper = (value: string, field: string) => string;

function mapRecord(record: Record<string, string>, prefix: string, fn: StringMapper): Record<string, string> {
  // Every key an own property, `__proto__` too (an assignment would set the prototype instead).
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value, `${prefix}.${key}`)]));
}

function mapOAuth(oauth: OAuthSettings, fn: StringMapper): OAuthSettings {
  const out = { ...oauth };
  for (const key of ['clientId', 'clientSecret', 'authServerMetadataUrl', 'privateKey', 'keyId', 'issuer'] as const) {
    const value = oauth[key];
    if (value !== undefined) out[key] = fn(value, `oauth.${key}`);
  }
  if (typeof oauth.clientMetadataUrl === 'string') out.clientMetadataUrl = fn(oauth.clientMetadataUrl, 'oauth.clientMetadataUrl');
  if (oauth.assertion) out.assertion = mapAssertion(oauth.assertion, fn);
  return out;
}

function mapAssertion(assertion: AssertionSource, fn: StringMapper): AssertionSource {
  const out = { ...assertion };
  for (const key of ['path', 'audience', 'command', 'cwd'] as const) {
    const value = assertion[key];
    if (value !== undefined) out[key] = fn(value, `oauth.assertion.${key}`);
  }
  if (assertion.args) out.args = assertion.args.map((a, i) => fn(a, `oauth.assertion.args[${i}]`));
  if (assertion.env) out.env = mapRecord(assertion.env, 'oauth.assertion.env', fn);
  return out;
}

function mapTls(tls: TlsSettings, fn: StringMapper): TlsSettings {
  const out: TlsSettings = {};
  for (const key of ['cert', 'key', 'ca'] as const) {
    const value = tls[key];
    if (value !== undefined) out[key] = fn(value, `tls.${key}`);
  }
  return out;
}

/** Rebuilds an entry with `fn` applied to every string that may hold a reference (values, never keys). */
export function mapEntryStrings(entry: ServerEntry, fn: StringMapper): ServerEntry {
  const oauth = entry.oauth ? { oauth: mapOAuth(entry.oauth, fn) } : {};
  const protocol = entry.protocol !== undefined ? { protocol: entry.protocol } : {};
  if (entry.transport === 'stdio') {
    return {
      transport: 'stdio',
      command: fn(entry.command, 'command'),
      args: entry.args.map((a, i) => fn(a, `args[${i}]`)),
      env: mapRecord(entry.env, 'env', fn),
      ...(entry.cwd !== undefined ? { cwd: fn(entry.cwd, 'cwd') } : {}),
      ...oauth,
      ...protocol,
    };
  }
  const tls = entry.tls ? { tls: mapTls(entry.tls, fn) } : {};
  const account = entry.account !== undefined ? { account: entry.account } : {};
  return { transport: entry.transport, url: fn(entry.url, 'url'), headers: mapRecord(entry.headers, 'headers', fn), ...tls, ...oauth, ...account, ...protocol };
}

/** A stable placeholder for a reference in printed output: `<TOKEN:bearer:api>`, `<env:HOME>`. */
export function placeholder(ref: Reference): string {
  return `<${describeReference(ref).slice(2, -1)}>`;
}

function parseField(server: string, field: string, value: string, where: Where): Segment[] {
  if (!mayHoldReference(value)) return [{ kind: 'text', text: value }];
  try {
    return parseTemplate(value);
  } catch (error) {
    if (error instanceof ReferenceSyntaxError)
      throw new CliError(`${where(server, field)}: ${error.message}`, ExitCode.failure, 'see docs/config.md for the reference syntax');
    throw error;
  }
}

/** Parses every string of an entry. Malformed references fail here, before any token is read. */
export function parseEntry(name: string, entry: ServerEntry, where: Where = inServer): { parsed: Map<string, Segment[]>; uses: ReferenceUse[] } {
  const parsed = new Map<string, Segment[]>();
  const uses: ReferenceUse[] = [];
  mapEntryStrings(entry, (value, field) => {
    const segments = parseField(name, field, value, where);
    parsed.set(field, segments);
    for (const s of segments) {
      if (s.kind === 'text') continue;
      if (s.kind === 'token' && isOAuthNamespace(s.namespace)) throw oauthReferenceError(where(name, field), s);
      if (s.kind === 'env' && credentialVariable(s.variable)) throw credentialReferenceError(where(name, field), s);
      uses.push({ field, reference: s });
    }
    return value;
  });
  return { parsed, uses };
}

/**
 * A stored token goes where the entry's text says, never where a variable says: an MCP client's entry
 * sets the environment of `mcp-cli run`, and a project file can write that entry. So an entry that
 * carries a stored token takes no `${VAR}` in what decides where it connects or which program runs.
 */
function refuseVariableDestination(name: string, entry: ServerEntry, parsed: Map<string, Segment[]>, uses: ReferenceUse[], where: Where): void {
  const token = uses.find((use) => use.reference.kind === 'token');
  if (!token) return;
  const command = entry.transport === 'stdio' ? entry.command : undefined;
  for (const [field, segments] of parsed) {
    const found = variableDestination(field, segments, command);
    if (!found) continue;
    const [decides, sends] = found.kind === 'connects' ? ['where this server connects', 'sends'] : ['which program runs', 'gets'];
    throw new CliError(
      `${where(name, field)}: ${describeReference(found.variable)} decides ${decides}, and it ${sends} the stored token ${describeReference(token.reference)}: whoever sets ${found.variable.variable} (an MCP client's entry can, for mcp-cli run) would choose where the token goes; nothing was started or contacted`,
      ExitCode.failure,
      `write the ${field} out in the config itself (a variable may stand in a header, after the host in a URL, and in other arguments and variables unless its name names a place); see docs/config.md`,
    );
  }
}

/** OAuth tokens and client registrations go only to the server that logged in, sent by its OAuth login: never through a reference. */
function oauthReferenceError(place: string, ref: TokenReference): CliError {
  return new CliError(
    `${place}: ${describeReference(ref)} refers to an OAuth login; its tokens and client registration are sent only to the server that logged in, by mcp-cli's OAuth login, never through a reference`,
    ExitCode.failure,
    'remove the reference: an HTTP server logs in with OAuth by itself (an "oauth" block sends its token from the first request); see docs/oauth.md',
  );
}

/** mcp-cli's own credentials open the whole token store: a config or an env file that names one would hand it to a server or program. */
function credentialReferenceError(place: string, ref: EnvReference): CliError {
  const variable = credentialVariable(ref.variable)!;
  return new CliError(
    `${place}: ${describeReference(ref)} is mcp-cli's own credential (${CREDENTIAL_VARIABLES[variable]}), which no server or program gets through a reference; nothing was started or contacted`,
    ExitCode.failure,
    'store the value it needs as a token of its own (mcp-cli token set NAME) and reference that: ${TOKEN:namespace:NAME}',
  );
}

const tokenKey = (ref: TokenReference): TokenKey => ({ namespace: ref.namespace, name: ref.name });

/** A reference that could not be resolved: where it sits and why, and whether a token (stored again) would fix it. */
export interface Unresolved {
  server: string;
  message: string;
  auth: boolean;
}

/** What a reference that cannot be resolved shows in place of its value: `<missing TOKEN:bearer:x>`. */
type Mark = 'missing' | 'expired' | 'unusable';

function setHint(ref: TokenReference, type: TokenType): string {
  return `store it: ${setCommand(ref, type)}`;
}

/**
 * Resolves the named servers: parses every reference first (a malformed one stops
 * everything), reads each distinct token once, then substitutes. Any unresolved
 * reference is an error naming the server, the field and the reference; exit 4
 * when every problem is a missing or expired token, 1 otherwise.
 */
export async function resolveServers(servers: Record<string, ServerEntry>, names: string[], deps: ResolveDeps): Promise<ResolvedServer[]> {
  const { servers: results, problems } = await resolveForDisplay(servers, names, deps);
  if (problems.length > 0) {
    const exit = problems.every((p) => p.auth) ? ExitCode.authRequired : ExitCode.failure;
    const [first, ...rest] = problems;
    const message =
      rest.length === 0
        ? first!.message
        : `${problems.length} references cannot be resolved; nothing was started:\n  ${problems.map((p) => p.message).join('\n  ')}`;
    throw new CliError(message, exit, rest.length === 0 ? 'nothing was started or contacted' : undefined);
  }
  return results;
}

/**
 * Resolves as `resolveServers` does, but hands back the references that cannot be resolved
 * instead of failing: their masked form shows `<missing TOKEN:ns:name>` (or `expired`,
 * `unusable`) in place, and the entry itself must not be used.
 */
export async function resolveForDisplay(
  servers: Record<string, ServerEntry>,
  names: string[],
  deps: ResolveDeps,
): Promise<{ servers: ResolvedServer[]; problems: Unresolved[] }> {
  const where = deps.where ?? inServer;
  const parsedServers = names.map((name) => ({ name, entry: servers[name]!, ...parseEntry(name, servers[name]!, where) }));
  if (!deps.variablesMayDecideDestination)
    for (const { name, entry, parsed, uses } of parsedServers) refuseVariableDestination(name, entry, parsed, uses, where);

  const tokens = new Map<string, StoredToken | undefined>();
  for (const { uses } of parsedServers) {
    for (const { reference } of uses) {
      if (reference.kind !== 'token') continue;
      const key = keyOf(tokenKey(reference));
      if (!tokens.has(key)) tokens.set(key, await deps.lookup(tokenKey(reference)));
    }
  }

  const problems: Unresolved[] = [];
  const results: ResolvedServer[] = [];
  for (const { name, entry, parsed, uses } of parsedServers) {
    const secrets = new Set<string>();
    const variables = new Map<string, string>();
    const used = new Map<string, TokenMetadata>();
    const marks = new Map<string, Mark>();
    const markOf = (field: string, ref: Reference) => `${field}\0${describeReference(ref)}`;
    const fail = (field: string, ref: Reference, mark: Mark, message: string, auth: boolean): string => {
      problems.push({ server: name, message, auth });
      marks.set(markOf(field, ref), mark);
      return '';
    };
    const valueOf = (ref: Reference, field: string): string => {
      const place = `${where(name, field)}: ${describeReference(ref)}`;
      if (ref.kind === 'env') {
        const value = deps.env[ref.variable];
        if (ref.fallback !== undefined && (value === undefined || value === '')) return ref.fallback;
        if (value !== undefined) variables.set(ref.variable, value);
        if (value === undefined)
          return fail(
            field,
            ref,
            'missing',
            `${place}: environment variable ${ref.variable} is not set (give a default with \${${ref.variable}:-default})`,
            false,
          );
        return value;
      }
      const token = tokens.get(keyOf(tokenKey(ref)));
      if (!token) return fail(field, ref, 'missing', `${place}: no such token (${setHint(ref, typeForReference(ref, field))})`, true);
      if (token.metadata.type === 'oauth' || isOAuthNamespace(token.metadata.namespace))
        return fail(
          field,
          ref,
          'unusable',
          `${place}: it is an OAuth token, which only the OAuth login of the server it was issued to sends (see docs/oauth.md)`,
          false,
        );
      if (isExpired(token.metadata, deps.now))
        return fail(field, ref, 'expired', `${place}: the token expired at ${token.metadata.expiresAt} (${setHint(ref, token.metadata.type)})`, true);
      const value = tokenFieldValue(token, ref.field);
      if (value === undefined)
        return fail(
          field,
          ref,
          'unusable',
          `${place}: the ${token.metadata.type} token has no field '${ref.field ?? PRIMARY_SECRET_FIELD[token.metadata.type]}' (it has: ${tokenFieldNames(token).join(', ')})`,
          false,
        );
      used.set(keyOf(token.metadata), token.metadata);
      for (const secret of secretStrings(token, ref.field, value)) secrets.add(secret);
      return value;
    };
    const resolved = mapEntryStrings(entry, (_value, field) => renderSegments(parsed.get(field)!, (ref) => valueOf(ref, field)));
    const masked = mapEntryStrings(entry, (_value, field) =>
      renderSegments(parsed.get(field)!, (ref) => {
        const mark = marks.get(markOf(field, ref));
        return mark ? `<${mark} ${placeholder(ref).slice(1)}` : placeholder(ref);
      }),
    );
    results.push({
      name,
      entry: resolved,
      masked,
      uses,
      secrets: [...secrets],
      variables: [...variables].map(([variable, value]) => ({ name: variable, value })),
      tokens: [...used.values()],
    });
  }
  return { servers: results, problems };
}

/**
 * A stdio server runs in its config file's directory unless `cwd` says otherwise (a relative `cwd`
 * or command path is taken from there too): never in whatever directory mcp-cli was started in,
 * where a cloned repository's `node_modules/.bin` or `./server.js` would take the place of the
 * server the file means.
 */
export function anchorToConfigFile(server: ResolvedServer, configPath: string): ResolvedServer {
  const entry = server.entry;
  const base = dirname(configPath);
  if (entry.transport !== 'stdio') {
    const assertion = entry.oauth?.assertion;
    return assertion ? { ...server, entry: { ...entry, oauth: { ...entry.oauth, assertion: anchorAssertion(assertion, base) } } } : server;
  }
  const command = entry.command.includes('/') || entry.command.includes('\\') ? resolve(base, entry.command) : entry.command;
  return { ...server, entry: { ...entry, command, cwd: resolve(base, entry.cwd ?? '.') } };
}

/** An assertion source's file, and its program's path and directory, taken from the config file's directory as a stdio server's are. */
function anchorAssertion(assertion: AssertionSource, base: string): AssertionSource {
  const out = { ...assertion };
  if (assertion.path !== undefined && !assertion.path.startsWith('~')) out.path = resolve(base, assertion.path);
  if (assertion.source === 'command') {
    const command = assertion.command!;
    if (command.includes('/') || command.includes('\\')) out.command = resolve(base, command);
    out.cwd = resolve(base, assertion.cwd ?? '.');
  }
  return out;
}
