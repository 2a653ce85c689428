import type { AuditAction, AuditSink } from '../audit/sink.js';
import { AmbiguousTokenError, CliError, TokenNotFoundError } from '../errors.js';
import type { SecretStore } from '../stores/store.js';
import { matchesFilter, type TokenFilter } from './filter.js';
import {
  DEFAULT_NAMESPACE,
  keyOf,
  PRIMARY_SECRET_FIELD,
  type StoredToken,
  type TokenKey,
  type TokenMetadata,
  type TokenSecret,
  type TokenType,
} from './model.js';
import { validateIdentifier } from './names.js';
import { isReserved, refuseReserved, RESERVED_NAMESPACE } from './reserved.js';

export interface SetTokenInput {
  name: string;
  type: TokenType;
  /** Defaults to the type's namespace (`bearer`, `api-key`, `oauth`, else `generic`). */
  namespace?: string;
  /** Must hold the type's primary field (`token` for bearer, `key` for api-key, ...). */
  secret: TokenSecret;
  provider?: string;
  expiresAt?: Date;
  details?: Record<string, string>;
}

// Code-point order: stable across locales, and far cheaper than localeCompare on long lists.
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byNamespaceThenName = (a: TokenMetadata, b: TokenMetadata) => compare(a.namespace, b.namespace) || compare(a.name, b.name);

/** The one token called `name` among `tokens`; none or several is an error. */
function onlyMatch<T extends TokenKey>(name: string, tokens: T[]): T {
  const matches = tokens.filter((t) => t.name === name);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new TokenNotFoundError(name, [...new Set(tokens.map((t) => t.namespace))].sort());
  throw new AmbiguousTokenError(name, matches.map((t) => t.namespace).sort());
}

/** Why a value was read, for the audit log: shown, resolved into a config, exported, validated, used by an OAuth login, or by `clients import`/`restore`. */
export type ReadPurpose = 'revealed' | 'resolved' | 'exported' | 'validated' | 'oauth' | 'clients';

/**
 * The operations behind `mcp-cli token ...`, on any backend: the only door to a store, so that every
 * read and write of every token, OAuth logins included, is audited here when a sink is given.
 */
export class TokenManager {
  constructor(
    private readonly store: SecretStore,
    private readonly now: () => Date = () => new Date(),
    private readonly audit?: AuditSink,
  ) {}

  get backend(): SecretStore['backend'] {
    return this.store.backend;
  }

  /** Where the tokens live, for humans. */
  get location(): string {
    return this.store.location;
  }

  /** Calls `listener` when the store is locked under a running process (SecretStore.onLocked), for copies of its values to be dropped. */
  onLocked(listener: () => void): void {
    this.store.onLocked?.(listener);
  }

  private async record(action: AuditAction, token: { namespace: string; name: string }, detail?: Record<string, string>): Promise<void> {
    await this.audit?.record({ action, namespace: token.namespace, name: token.name, backend: this.store.backend, ...(detail ? { detail } : {}) });
  }

  /**
   * Records what happened to a token outside these methods: an OAuth `login`, `refreshed` or `logout`,
   * or the `validated` result of `token validate`. `detail` holds facts such as an issuer, never a value.
   */
  async recordEvent(action: AuditAction, token: TokenKey, detail?: Record<string, string>): Promise<void> {
    await this.record(action, token, detail);
  }

  /** Stores a token, replacing one of the same namespace and name (its creation date is kept). */
  async set(input: SetTokenInput): Promise<{ metadata: TokenMetadata; replaced: boolean }> {
    const name = validateIdentifier('name', input.name);
    const namespace = this.userNamespace(input.namespace ?? DEFAULT_NAMESPACE[input.type]);
    const primary = PRIMARY_SECRET_FIELD[input.type];
    if (!input.secret[primary]) throw new CliError(`a ${input.type} token needs a non-empty value`);
    const existing = await this.store.get({ namespace, name });
    const now = this.now().toISOString();
    const metadata: TokenMetadata = {
      name,
      namespace,
      type: input.type,
      createdAt: existing?.metadata.createdAt ?? now,
      updatedAt: now,
      ...(input.expiresAt ? { expiresAt: input.expiresAt.toISOString() } : {}),
      ...(input.provider ? { provider: input.provider } : {}),
      details: { ...input.details },
    };
    await this.store.put({ metadata, secret: input.secret });
    await this.record(existing ? 'updated' : 'created', metadata);
    return { metadata, replaced: existing !== undefined };
  }

  /** A namespace typed by the user: valid, and not the one mcp-cli keeps its own records in. */
  private userNamespace(namespace: string): string {
    validateIdentifier('namespace', namespace);
    refuseReserved(namespace);
    return namespace;
  }

  async list(filter: TokenFilter = {}): Promise<TokenMetadata[]> {
    if (filter.namespace !== undefined) this.userNamespace(filter.namespace);
    const now = this.now();
    const all = await this.store.list(filter.namespace);
    return all.filter((m) => !isReserved(m) && matchesFilter(m, filter, now)).sort(byNamespaceThenName);
  }

  /**
   * A token's metadata, by name; no secret leaves the store. Without a namespace every namespace is
   * searched: exactly one match is used; none or several is an error, never a silent pick.
   */
  async describe(name: string, namespace?: string): Promise<TokenMetadata> {
    validateIdentifier('name', name);
    if (namespace !== undefined) return (await this.existing({ namespace: this.userNamespace(namespace), name })).metadata;
    return onlyMatch(
      name,
      (await this.store.list()).filter((m) => !isReserved(m)),
    );
  }

  /** A token with its secret fields, by name (searched as `describe` searches); the read is audited with its purpose. */
  async reveal(name: string, namespace?: string, purpose: ReadPurpose = 'revealed'): Promise<StoredToken> {
    validateIdentifier('name', name);
    const ns = namespace === undefined ? await this.namespaceOf(name) : this.userNamespace(namespace);
    const token = await this.read({ namespace: ns, name }, purpose);
    if (!token) throw await this.notFound({ namespace: ns, name });
    return token;
  }

  /** Not found at this key, naming the other namespaces that hold a token of the name (when the store can list them). */
  private async notFound(key: TokenKey): Promise<TokenNotFoundError> {
    let elsewhere: string[] = [];
    try {
      const keys = this.store.keys ? await this.store.keys() : await this.store.list();
      elsewhere = keys.filter((k) => k.name === key.name && k.namespace !== key.namespace && !isReserved(k)).map((k) => k.namespace);
    } catch {
      // A store that cannot list (a Vault policy without list) still says what was not found.
    }
    return new TokenNotFoundError(key.name, [key.namespace], [...new Set(elsewhere)].sort());
  }

  private async namespaceOf(name: string): Promise<string> {
    return onlyMatch(
      name,
      (this.store.keys ? await this.store.keys() : await this.store.list()).filter((k) => !isReserved(k)),
    ).namespace;
  }

  /** The token with its secret fields at exactly this key, or undefined; the read is audited with its purpose. */
  async read(key: TokenKey, purpose: ReadPurpose): Promise<StoredToken | undefined> {
    const token = await this.store.get(key);
    if (token) await this.record('read', token.metadata, { purpose });
    return token;
  }

  /**
   * One of mcp-cli's own records (namespace `.mcp-cli`, never listed, exported, migrated or cleared):
   * the copies `clients restore` needs. Read, written and removed through here, so they are audited too.
   */
  async readRecord(name: string, purpose: ReadPurpose): Promise<StoredToken | undefined> {
    return this.read({ namespace: RESERVED_NAMESPACE, name: validateIdentifier('name', name) }, purpose);
  }

  async writeRecord(name: string, secret: TokenSecret, details: Record<string, string>): Promise<void> {
    const key = { namespace: RESERVED_NAMESPACE, name: validateIdentifier('name', name) };
    const existing = await this.store.get(key);
    const now = this.now().toISOString();
    await this.store.put({ metadata: { ...key, type: 'generic', createdAt: existing?.metadata.createdAt ?? now, updatedAt: now, details }, secret });
    await this.record(existing ? 'updated' : 'created', key);
  }

  async removeRecord(name: string): Promise<boolean> {
    return this.remove({ namespace: RESERVED_NAMESPACE, name: validateIdentifier('name', name) });
  }

  /** For changes that keep what is stored: the token at this key, unaudited (the change that follows is). */
  private async existing(key: TokenKey): Promise<StoredToken> {
    const token = await this.store.get(key);
    if (!token) throw await this.notFound(key);
    return token;
  }

  /**
   * Deletes the token at exactly this key, if there is one (an OAuth login that cannot be refreshed,
   * a client registration forgotten); recorded as `deleted` with why.
   */
  async remove(key: TokenKey, detail?: Record<string, string>): Promise<boolean> {
    const deleted = (await this.store.delete([key])).length > 0;
    if (deleted) await this.record('deleted', key, detail);
    return deleted;
  }

  async delete(name: string, namespace?: string): Promise<TokenMetadata> {
    const metadata = await this.describe(name, namespace);
    const deleted = await this.store.delete([{ namespace: metadata.namespace, name }]);
    if (deleted.length === 0) throw new TokenNotFoundError(name, [metadata.namespace]);
    await this.record('deleted', metadata);
    return metadata;
  }

  /** Deletes every token (of one namespace, if given) and returns what was deleted. */
  async clear(namespace?: string): Promise<TokenMetadata[]> {
    return this.deleteTokens(await this.list({ namespace }));
  }

  /** Deletes the listed tokens (as part of a clear) and returns those that existed. */
  async deleteTokens(tokens: TokenMetadata[]): Promise<TokenMetadata[]> {
    if (tokens.length === 0) return [];
    const deletedKeys = new Set((await this.store.delete(tokens)).map(keyOf));
    const deleted = tokens.filter((m) => deletedKeys.has(keyOf(m)));
    for (const m of deleted) await this.record('cleared', m);
    return deleted;
  }

  /** Reads the tokens to export (audited as exported). */
  async exportTokens(filter: TokenFilter = {}): Promise<StoredToken[]> {
    const tokens: StoredToken[] = [];
    for (const m of await this.list(filter)) {
      tokens.push(await this.existing(m));
      await this.record('exported', m);
    }
    return tokens;
  }

  /**
   * What importing `tokens` would do to each, given how conflicts are resolved: `create`,
   * `unchanged` (here already, identical: metadata and value), `overwrite`, `skip` or `conflict`.
   * Compares values without revealing them; writes nothing.
   */
  async planImport(tokens: StoredToken[], onConflict: ConflictPolicy): Promise<ImportStep[]> {
    for (const token of tokens) refuseReserved(token.metadata.namespace);
    const existing = new Set((await this.store.list()).map(keyOf));
    const plan: ImportStep[] = [];
    for (const token of tokens) {
      if (!existing.has(keyOf(token.metadata))) plan.push({ token, action: 'create' });
      else {
        const current = await this.store.get(token.metadata);
        if (current && sameToken(current, token)) plan.push({ token, action: 'unchanged' });
        else plan.push({ token, action: onConflict === 'overwrite' ? 'overwrite' : onConflict === 'skip' ? 'skip' : 'conflict' });
      }
    }
    return plan;
  }

  /** Writes a plan from planImport, metadata exactly as it came. Refuses a plan with conflicts. */
  async applyImport(plan: ImportStep[]): Promise<void> {
    if (plan.some((step) => step.action === 'conflict')) throw new CliError('the import has unresolved conflicts; nothing was imported');
    for (const step of plan) {
      if (step.action === 'skip' || step.action === 'unchanged') continue;
      await this.store.put(step.token);
      await this.record('imported', step.token.metadata, { action: step.action });
    }
  }

  /** Replaces a token's value in one step, keeping its metadata and noting when it was rotated. */
  async rotate(name: string, namespace: string | undefined, secret: TokenSecret, expiresAt?: Date): Promise<TokenMetadata> {
    const current = await this.existing({ name, namespace: (await this.describe(name, namespace)).namespace });
    if (current.metadata.type === 'oauth')
      throw new CliError(
        `'${name}' is an OAuth token: it is renewed by a refresh grant at its authorization server, not replaced by a value`,
        1,
        `run mcp-cli token rotate ${name} --oauth`,
      );
    const primary = PRIMARY_SECRET_FIELD[current.metadata.type];
    if (!secret[primary]) throw new CliError(`a ${current.metadata.type} token needs a non-empty value`);
    const now = this.now().toISOString();
    const metadata: TokenMetadata = {
      ...current.metadata,
      updatedAt: now,
      ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
      details: { ...current.metadata.details, rotatedAt: now },
    };
    await this.store.put({ metadata, secret: { ...current.secret, ...secret } });
    await this.record('rotated', metadata);
    return metadata;
  }

  /**
   * What moving every token of `source` into this store would do, token by token: `move`,
   * `same` (already here, identical), `overwrite`, `skip` (kept here and left in the source) or
   * `conflict`. Reads the source's values; writes nothing.
   */
  async planMigration(source: SecretStore, onConflict: ConflictPolicy): Promise<MigrationStep[]> {
    const listed = (await source.list()).filter((m) => !isReserved(m)).sort(byNamespaceThenName);
    const here = new Set((await this.store.list()).map(keyOf));
    const plan: MigrationStep[] = [];
    for (const metadata of listed) {
      const token = await source.get(metadata);
      if (!token) continue; // deleted meanwhile: nothing to move
      if (!here.has(keyOf(metadata))) {
        plan.push({ token, action: 'move' });
        continue;
      }
      const current = await this.store.get(metadata);
      if (current && sameToken(current, token)) plan.push({ token, action: 'same' });
      else plan.push({ token, action: onConflict === 'overwrite' ? 'overwrite' : onConflict === 'skip' ? 'skip' : 'conflict' });
    }
    return plan;
  }

  /**
   * Carries out a plan from planMigration: writes the tokens here with their metadata unchanged,
   * reads each back, and only then deletes them from the source. A token that did not arrive
   * intact is deleted nowhere. Refuses a plan with conflicts.
   */
  async applyMigration(plan: MigrationStep[], source: SecretStore): Promise<MigrationStep[]> {
    if (plan.some((step) => step.action === 'conflict')) throw new CliError('the migration has unresolved conflicts; nothing was moved');
    const writes = plan.filter((step) => step.action === 'move' || step.action === 'overwrite').map((step) => step.token);
    if (writes.length > 0) {
      if (this.store.putMany) await this.store.putMany(writes);
      else for (const token of writes) await this.store.put(token);
    }
    const moved = plan.filter((step) => step.action !== 'skip');
    for (const step of moved) {
      const arrived = await this.store.get(step.token.metadata);
      if (!arrived || !sameToken(arrived, step.token)) {
        const { namespace, name } = step.token.metadata;
        throw new CliError(
          `token '${name}' in namespace '${namespace}' did not read back from ${this.store.location} as it was written; nothing was deleted from ${source.location}`,
        );
      }
      await this.record('migrated', step.token.metadata, { from: source.backend, action: step.action });
    }
    if (moved.length > 0) await source.delete(moved.map((step) => step.token.metadata));
    return moved;
  }
}

/** Same metadata and same secret fields, whatever the order of their keys. */
function sameToken(a: StoredToken, b: StoredToken): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export interface MigrationStep {
  token: StoredToken;
  action: 'move' | 'same' | 'overwrite' | 'skip' | 'conflict';
}

export type ConflictPolicy = 'fail' | 'overwrite' | 'skip';

export interface ImportStep {
  token: StoredToken;
  action: 'create' | 'unchanged' | 'overwrite' | 'skip' | 'conflict';
}
