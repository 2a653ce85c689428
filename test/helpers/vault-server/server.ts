// An in-process stand-in for HashiCorp Vault's HTTP API, following Vault's documented
// behaviour for what mcp-cli uses (see docs/vault.md for the list and the sources):
// KV v2 data/metadata/delete/destroy with versions, custom_metadata and check-and-set,
// KV v1, LIST (as `GET ?list=true`, since Node's HTTP parser rejects the LIST verb),
// sys/internal/ui/mounts, X-Vault-Token, X-Vault-Namespace, ACL policies, sealing, and
// injected faults; the AppRole, JWT and Kubernetes auth methods (./auth.ts) and the token
// store's lookup-self and renew-self with TTLs, max TTLs and renewability, as
// https://developer.hashicorp.com/vault/api-docs/auth/token describes them
// ("Lookup a token (self)", "Renew a token (self)"). It listens on 127.0.0.1 only.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AUTH_TYPES, AuthMount, seconds, type AuthType, type Grant } from './auth.js';
import { denied, HttpError, isObject, notFound, type Json } from './http-error.js';
import { allowed, hasMountAccess, type Capability, type PolicyRule } from './policy.js';

interface VersionEntry {
  created: string;
  deletion: string;
  destroyed: boolean;
  data?: Json;
}

interface KeyEntry {
  created: string;
  updated: string;
  current: number;
  oldest: number;
  maxVersions: number;
  casRequired: boolean;
  custom: Record<string, string> | null;
  versions: Map<number, VersionEntry>;
}

interface Mount {
  path: string; // with trailing slash
  version: 1 | 2;
  uuid: string;
  accessor: string;
  maxVersions: number;
  casRequired: boolean;
  kv2: Map<string, KeyEntry>;
  kv1: Map<string, Json>;
}

interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  namespace: string;
  created: number;
  /** Undefined: the token does not expire (a root token). */
  expiresAt?: number;
  /** The end no renewal goes past (max TTL). */
  maxExpiresAt?: number;
  /** What a renewal without an increment gives, in seconds (the role's token_ttl). */
  ttl?: number;
  renewable: boolean;
  type: 'service' | 'batch';
  /** The login path that issued it (`auth/approle/login`), or `auth/token/create`. */
  path: string;
  meta: Record<string, string> | null;
  displayName: string;
}

export interface Fault {
  status: number;
  /** How many matching requests get the fault. */
  times: number;
  /** Only requests whose path contains this. */
  pathIncludes?: string;
  errors?: string[];
  retryAfter?: string;
}

export interface LoggedRequest {
  method: string;
  path: string;
  namespace: string;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface VaultServerOptions {
  /** With `clientCa`, a client certificate signed by it is required (Vault's tls_require_and_verify_client_cert). */
  tls?: { key: Buffer | string; cert: Buffer | string; clientCa?: Buffer | string };
}

const CAS_MISMATCH = 'check-and-set parameter did not match the current version';
const CAS_REQUIRED = 'check-and-set parameter required for this call';
const INVALID_KV2_PATH =
  "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.";

const now = () => new Date().toISOString();

export class VaultServer {
  readonly rootToken = `hvs.root-${randomUUID()}`;
  address = '';
  sealed = false;
  readonly requests: LoggedRequest[] = [];
  /** The most requests seen in flight at once (to check a client's concurrency bound). */
  maxInFlight = 0;
  /** Milliseconds each answer waits, to model a network round trip. */
  latencyMs = 0;
  private inFlight = 0;
  private readonly faults: Fault[] = [];
  private readonly policies = new Map<string, PolicyRule[]>();
  private readonly tokens = new Map<string, TokenEntry>();
  /** Namespace path ('' is root) -> mounts by path. */
  private readonly namespaces = new Map<string, Map<string, Mount>>();
  /** Namespace path -> auth methods by path (with a trailing slash; `token/` is built in). */
  private readonly authMounts = new Map<string, Map<string, AuthMount>>();
  /** Every client token a login issued, with the path of the login, for tests that look for leaks. */
  readonly issued: { token: string; path: string }[] = [];
  private server!: Server;

  constructor() {
    this.tokens.set(this.rootToken, {
      id: this.rootToken,
      accessor: randomUUID(),
      policies: ['root'],
      namespace: '',
      created: Date.now(),
      renewable: false,
      type: 'service',
      path: 'auth/token/root',
      meta: null,
      displayName: 'root',
    });
    this.addNamespace('');
    this.enableKv('secret', 2); // as `vault server -dev` does
  }

  addNamespace(name: string): void {
    if (!this.namespaces.has(name)) this.namespaces.set(name, new Map());
    if (!this.authMounts.has(name)) this.authMounts.set(name, new Map());
  }

  enableKv(path: string, version: 1 | 2, namespace = '', options: { maxVersions?: number; casRequired?: boolean } = {}): void {
    const mounts = this.namespaces.get(namespace);
    if (!mounts) throw new Error(`no namespace ${namespace}`);
    const p = path.replace(/\/*$/, '/');
    mounts.set(p, {
      path: p,
      version,
      uuid: randomUUID(),
      accessor: `kv_${randomUUID().slice(0, 8)}`,
      maxVersions: options.maxVersions ?? 0,
      casRequired: options.casRequired ?? false,
      kv2: new Map(),
      kv1: new Map(),
    });
  }

  addPolicy(name: string, rules: PolicyRule[]): void {
    this.policies.set(name, rules);
  }

  createToken(options: { policies: string[]; namespace?: string; ttlSeconds?: number }): string {
    const id = `hvs.${randomUUID().replace(/-/g, '')}`;
    const created = Date.now();
    const ttl = options.ttlSeconds;
    this.tokens.set(id, {
      id,
      accessor: randomUUID(),
      policies: ['default', ...options.policies],
      namespace: options.namespace ?? '',
      created,
      ...(ttl !== undefined ? { expiresAt: created + ttl * 1000, maxExpiresAt: created + 2_764_800_000, ttl } : {}),
      renewable: ttl !== undefined,
      type: 'service',
      path: 'auth/token/create',
      meta: null,
      displayName: 'token',
    });
    return id;
  }

  /** Issues the token a login earned, as the token store does for an auth method's `Auth` response. */
  private issue(grant: Grant, namespace: string, path: string): TokenEntry {
    const created = Date.now();
    const entry: TokenEntry = {
      id: `${grant.batch ? 'hvb' : 'hvs'}.${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '').slice(0, 8)}`,
      accessor: randomUUID().replace(/-/g, '').slice(0, 24),
      policies: grant.policies,
      namespace,
      created,
      expiresAt: created + grant.ttl * 1000,
      maxExpiresAt: created + grant.maxTtl * 1000,
      ttl: grant.ttl,
      renewable: !grant.batch,
      type: grant.batch ? 'batch' : 'service',
      path,
      meta: grant.meta,
      displayName: `${path.split('/')[1]}-${grant.displayName}`,
    };
    this.tokens.set(entry.id, entry);
    this.issued.push({ token: entry.id, path });
    return entry;
  }

  /** The `auth` block of a login or renewal answer (api-docs/auth/approle "Login with AppRole", api-docs/auth/token "Renew a token (self)"). */
  private authBlock(token: TokenEntry, leaseSeconds: number): Json {
    return {
      client_token: token.id,
      accessor: token.accessor,
      policies: token.policies,
      token_policies: token.policies,
      metadata: token.meta,
      lease_duration: leaseSeconds,
      renewable: token.renewable,
      entity_id: '',
      token_type: token.type,
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    };
  }

  /** `vault auth enable -path=PATH TYPE`, as `POST sys/auth/PATH` does. */
  enableAuth(type: AuthType, path: string = type, namespace = ''): AuthMount {
    const mounts = this.authMounts.get(namespace);
    if (!mounts) throw new Error(`no namespace ${namespace}`);
    const mount = new AuthMount(type, path.replace(/\/*$/, '/'));
    mounts.set(mount.path, mount);
    return mount;
  }

  /** Makes a token expire now, as its TTL running out would. */
  expireToken(id: string): void {
    const entry = this.tokens.get(id);
    if (entry) entry.expiresAt = Date.now() - 1;
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  clearLog(): void {
    this.requests.length = 0;
    this.maxInFlight = 0;
  }

  async listen(options: VaultServerOptions = {}): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = options.tls;
    this.server = tls
      ? createHttpsServer({ key: tls.key, cert: tls.cert, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, handler)
      : createHttpServer(handler);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.address = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP plumbing ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      const url = new URL(req.url ?? '/', 'http://vault');
      if (!url.pathname.startsWith('/v1/')) throw new HttpError(404, []);
      const path = decodeURIComponent(url.pathname.slice(4));
      const list = req.method === 'LIST' || ((req.method === 'GET' || req.method === 'HEAD') && ['true', '1'].includes(url.searchParams.get('list') ?? ''));
      const method = list ? 'LIST' : (req.method ?? 'GET');
      const namespace = String(req.headers['x-vault-namespace'] ?? '').replace(/^\/+|\/+$/g, '');
      this.requests.push({ method, path, namespace, at: Date.now() });
      const fault = this.faults.find((f) => f.times > 0 && (f.pathIncludes === undefined || path.includes(f.pathIncludes)));
      if (fault) {
        fault.times--;
        if (fault.retryAfter) res.setHeader('Retry-After', fault.retryAfter);
        throw new HttpError(fault.status, fault.errors ?? []);
      }
      let body: unknown = undefined;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          throw new HttpError(400, ['error parsing JSON']);
        }
      }
      const token = String(req.headers['x-vault-token'] ?? '') || (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      const result = this.route({ method, path, namespace, token, body, query: url.searchParams });
      if (result === undefined) {
        res.writeHead(204, { 'Cache-Control': 'no-store' });
        res.end();
      } else {
        this.send(res, result.status ?? 200, result.body);
      }
    } catch (error) {
      if (error instanceof HttpError) this.send(res, error.status, { ...error.extra, errors: error.errors });
      else this.send(res, 500, { errors: [(error as Error).message] });
    } finally {
      this.inFlight--;
    }
  }

  private send(res: ServerResponse, status: number, body: Json): void {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body) + '\n');
  }

  /** Vault's logical response envelope. */
  private envelope(data: unknown, extra: Json = {}): Json {
    return { request_id: randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null, ...extra };
  }

  // ---- routing, auth, ACL ----

  private route(r: {
    method: string;
    path: string;
    namespace: string;
    token: string;
    body: unknown;
    query: URLSearchParams;
  }): { status?: number; body: Json } | undefined {
    if (r.path === 'sys/seal-status' && r.method === 'GET')
      return { body: { type: 'shamir', initialized: true, sealed: this.sealed, t: 1, n: 1, progress: 0, version: '1.17.0' } };
    if (this.sealed) throw new HttpError(503, ['Vault is sealed']);
    const authMount = this.authMountFor(r.namespace, r.path);
    // Logins are among Vault's unauthenticated paths: no token is asked for.
    if (authMount && r.path === `auth/${authMount.path}login`) {
      if (r.method !== 'POST' && r.method !== 'PUT') throw new HttpError(405, ['unsupported operation']);
      const issued = this.issue(authMount.login(isObject(r.body) ? r.body : {}), r.namespace, r.path);
      return { body: this.envelope(null, { auth: this.authBlock(issued, issued.ttl!) }) };
    }
    const mounts = this.namespaces.get(r.namespace);
    const token = this.tokens.get(r.token);
    if (!token || (token.expiresAt !== undefined && token.expiresAt <= Date.now())) throw denied();
    const root = token.policies.includes('root');
    // A token is valid in its own namespace; a root-namespace root token in every namespace.
    if (token.namespace !== r.namespace && !(root && token.namespace === '')) throw denied();
    if (!mounts) throw new HttpError(404, [`no handler for route "${r.namespace}/${r.path}". route entry not found.`]);
    const rules = root
      ? [{ path: '*', capabilities: ['create', 'read', 'update', 'delete', 'list', 'sudo'] as Capability[] }]
      : token.policies.flatMap((p) => this.policies.get(p) ?? []);
    const can = (capability: Capability, path = r.path) => {
      if (!allowed(rules, path, capability)) throw denied();
    };

    if (r.path === 'auth/token/lookup-self' && (r.method === 'GET' || r.method === 'POST')) return { body: this.envelope(this.lookup(token)) };
    if (r.path === 'auth/token/renew-self' && (r.method === 'POST' || r.method === 'PUT')) return { body: this.renew(token, isObject(r.body) ? r.body : {}) };
    if (r.path === 'sys/auth' && r.method === 'GET') {
      can('read');
      const data: Json = { 'token/': { type: 'token', accessor: 'auth_token_root', description: 'token based credentials', local: false, seal_wrap: false } };
      for (const m of this.authMounts.get(r.namespace)?.values() ?? []) data[m.path] = m.info();
      return { body: this.envelope(data, data) };
    }
    if (r.path.startsWith('sys/auth/')) {
      can(r.method === 'DELETE' ? 'delete' : 'update');
      const path = r.path.slice('sys/auth/'.length).replace(/\/*$/, '/');
      const auths = this.authMounts.get(r.namespace)!;
      if (r.method === 'DELETE') {
        auths.delete(path);
        return undefined;
      }
      const type = isObject(r.body) ? String(r.body.type) : '';
      if (!AUTH_TYPES.includes(type)) throw new HttpError(400, [`plugin not found in the catalog: ${type}`]);
      if (path === 'token/' || auths.has(path)) throw new HttpError(400, [`path is already in use at ${path}`]);
      this.enableAuth(type as AuthType, path, r.namespace);
      return undefined;
    }
    if (authMount) {
      const rest = r.path.slice(`auth/${authMount.path}`.length);
      const write = r.method === 'POST' || r.method === 'PUT';
      can(r.method === 'LIST' ? 'list' : r.method === 'DELETE' ? 'delete' : write ? 'update' : 'read');
      const answer = authMount.manage(rest, r.method, isObject(r.body) ? r.body : {});
      return answer === undefined ? undefined : { body: this.envelope(answer.data ?? null) };
    }
    if (r.path.startsWith('sys/internal/ui/mounts/') && r.method === 'GET')
      return { body: this.envelope(this.uiMount(mounts, r.path.slice('sys/internal/ui/mounts/'.length), rules)) };
    if (r.path === 'sys/mounts' && r.method === 'GET') {
      can('read');
      const data = Object.fromEntries([...mounts.values()].map((m) => [m.path, this.mountInfo(m)]));
      return { body: this.envelope(data, data) };
    }
    if (r.path.startsWith('sys/mounts/')) {
      can(r.method === 'DELETE' ? 'delete' : 'update');
      const path = r.path.slice('sys/mounts/'.length).replace(/\/*$/, '/');
      if (r.method === 'DELETE') {
        mounts.delete(path);
        return undefined;
      }
      if (r.method !== 'POST' && r.method !== 'PUT') throw new HttpError(405, ['unsupported operation']);
      const body = isObject(r.body) ? r.body : {};
      const options = isObject(body.options) ? body.options : {};
      if (body.type !== 'kv' && body.type !== 'kv-v2') throw new HttpError(400, [`plugin not found in the catalog: ${String(body.type)}`]);
      if ([...mounts.keys()].some((m) => m.startsWith(path) || path.startsWith(m))) throw new HttpError(400, [`path is already in use at ${path}`]);
      this.enableKv(path, body.type === 'kv-v2' || String(options.version) === '2' ? 2 : 1, r.namespace);
      return undefined;
    }
    const mount = this.mountFor(mounts, r.path);
    if (!mount) throw new HttpError(404, [`no handler for route "${r.path}". route entry not found.`]);
    const rest = r.path.slice(mount.path.length);
    return mount.version === 2 ? this.kv2(mount, rest, r, can) : this.kv1(mount, rest, r, can);
  }

  private lookup(token: TokenEntry): Json {
    const ttl = token.expiresAt === undefined ? 0 : Math.max(0, Math.round((token.expiresAt - Date.now()) / 1000));
    return {
      accessor: token.accessor,
      creation_time: Math.floor(token.created / 1000),
      creation_ttl: token.ttl ?? 0,
      display_name: token.displayName,
      entity_id: '',
      expire_time: token.expiresAt === undefined ? null : new Date(token.expiresAt).toISOString(),
      explicit_max_ttl: 0,
      id: token.id,
      issue_time: new Date(token.created).toISOString(),
      meta: token.meta,
      num_uses: 0,
      orphan: token.path !== 'auth/token/create',
      path: token.path,
      policies: token.policies,
      renewable: token.renewable,
      ttl,
      type: token.type,
      ...(token.namespace ? { namespace_path: `${token.namespace}/` } : {}),
    };
  }

  /**
   * `POST auth/token/renew-self`: the role's TTL again (or the `increment` asked for), never past the max
   * TTL, with Vault's warning when capped; `lease is not renewable` (400) for a batch or non-expiring token.
   */
  private renew(token: TokenEntry, body: Json): Json {
    if (!token.renewable || token.expiresAt === undefined) throw new HttpError(400, ['lease is not renewable']);
    const now = Date.now();
    const wanted = seconds(body.increment, 'increment') || token.ttl || 2_764_800;
    const maxLeft = ((token.maxExpiresAt ?? Infinity) - now) / 1000;
    if (maxLeft <= 0) throw new HttpError(400, ['past the max TTL, cannot renew']);
    const granted = Math.min(wanted, maxLeft);
    token.expiresAt = now + granted * 1000;
    const warnings =
      granted < wanted ? [`TTL of "${wanted}s" exceeded the effective max_ttl of "${Math.floor(maxLeft)}s"; TTL value is capped accordingly`] : null;
    return this.envelope(null, { auth: this.authBlock(token, Math.floor(granted)), warnings });
  }

  private authMountFor(namespace: string, path: string): AuthMount | undefined {
    if (!path.startsWith('auth/')) return undefined;
    const rest = path.slice('auth/'.length) + '/';
    let best: AuthMount | undefined;
    for (const m of this.authMounts.get(namespace)?.values() ?? []) if (rest.startsWith(m.path) && (!best || m.path.length > best.path.length)) best = m;
    return best;
  }

  private mountFor(mounts: Map<string, Mount>, path: string): Mount | undefined {
    let best: Mount | undefined;
    for (const m of mounts.values()) if ((path + '/').startsWith(m.path) && (!best || m.path.length > best.path.length)) best = m;
    return best;
  }

  private mountInfo(m: Mount): Json {
    return {
      accessor: m.accessor,
      config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
      description: m.version === 2 ? 'key/value secret storage' : '',
      external_entropy_access: false,
      local: false,
      options: { version: String(m.version) },
      plugin_version: '',
      running_plugin_version: `v0.20.0+builtin`,
      running_sha256: '',
      seal_wrap: false,
      type: 'kv',
      uuid: m.uuid,
    };
  }

  private uiMount(mounts: Map<string, Mount>, path: string, rules: PolicyRule[]): Json {
    const sanitized = path.replace(/^\/+/, '').replace(/\/*$/, '/');
    const preflight = new HttpError(403, [`preflight capability check returned 403, please ensure client's policies grant access to path "${sanitized}"`]);
    const mount = this.mountFor(mounts, sanitized.slice(0, -1));
    if (!mount || !hasMountAccess(rules, mount.path)) throw preflight;
    return { ...this.mountInfo(mount), path: mount.path };
  }

  // ---- KV v2 ----

  private kv2(
    mount: Mount,
    rest: string,
    r: { method: string; path: string; body: unknown; query: URLSearchParams },
    can: (c: Capability, path?: string) => void,
  ): { status?: number; body: Json } | undefined {
    const slash = rest.indexOf('/');
    const section = slash < 0 ? rest : rest.slice(0, slash);
    const key = slash < 0 ? '' : rest.slice(slash + 1);
    const body = isObject(r.body) ? r.body : {};
    const write = r.method === 'POST' || r.method === 'PUT';
    const entry = mount.kv2.get(key);
    const writeCap = () => can(entry ? 'update' : 'create');

    if (section === 'data' && key !== '' && !key.endsWith('/')) {
      if (r.method === 'GET') {
        can('read');
        if (!entry) throw notFound();
        const wanted = Number(r.query.get('version') ?? 0) || entry.current;
        const v = entry.versions.get(wanted);
        if (!v) throw notFound();
        const metadata = { created_time: v.created, custom_metadata: entry.custom, deletion_time: v.deletion, destroyed: v.destroyed, version: wanted };
        if ((v.deletion !== '' && Date.parse(v.deletion) <= Date.now()) || v.destroyed) {
          // Vault answers a deleted or destroyed version with 404 and its metadata, no errors list.
          return { status: 404, body: this.envelope({ data: null, metadata }, { mount_type: 'kv' }) };
        }
        return { body: this.envelope({ data: v.data, metadata }, { mount_type: 'kv' }) };
      }
      if (write) {
        writeCap();
        if (!isObject(body.data)) throw new HttpError(400, ['no data provided']);
        const current = entry ?? this.newKey();
        const options = isObject(body.options) ? body.options : {};
        if (options.cas !== undefined) {
          if (Number(options.cas) !== current.current) throw new HttpError(400, [CAS_MISMATCH]);
        } else if (mount.casRequired || current.casRequired) throw new HttpError(400, [CAS_REQUIRED]);
        const version = current.current + 1;
        const created = now();
        current.versions.set(version, { created, deletion: '', destroyed: false, data: structuredClone(body.data) });
        current.current = version;
        current.updated = created;
        if (current.oldest === 0) current.oldest = 1;
        const max = current.maxVersions || mount.maxVersions || 10;
        while (current.current - current.oldest + 1 > max) current.versions.delete(current.oldest++);
        mount.kv2.set(key, current);
        return {
          body: this.envelope({ created_time: created, custom_metadata: current.custom, deletion_time: '', destroyed: false, version }, { mount_type: 'kv' }),
        };
      }
      if (r.method === 'DELETE') {
        can('delete');
        const v = entry?.versions.get(entry.current);
        if (v && v.deletion === '') v.deletion = now();
        return undefined;
      }
    }

    if (section === 'metadata') {
      if (r.method === 'LIST') {
        can('list');
        const folder = key === '' || key.endsWith('/') ? key : key + '/';
        const keys = new Set<string>();
        for (const k of mount.kv2.keys()) {
          if (!k.startsWith(folder)) continue;
          const tail = k.slice(folder.length);
          const cut = tail.indexOf('/');
          keys.add(cut < 0 ? tail : tail.slice(0, cut + 1));
        }
        if (keys.size === 0) throw notFound();
        return { body: this.envelope({ keys: [...keys].sort() }, { mount_type: 'kv' }) };
      }
      if (key === '' || key.endsWith('/')) throw new HttpError(405, ['unsupported operation']);
      if (r.method === 'GET') {
        can('read');
        if (!entry) throw notFound();
        const versions = Object.fromEntries(
          [...entry.versions].map(([n, v]) => [String(n), { created_time: v.created, deletion_time: v.deletion, destroyed: v.destroyed }]),
        );
        return {
          body: this.envelope(
            {
              cas_required: entry.casRequired,
              created_time: entry.created,
              current_version: entry.current,
              custom_metadata: entry.custom,
              delete_version_after: '0s',
              max_versions: entry.maxVersions,
              oldest_version: entry.oldest,
              updated_time: entry.updated,
              versions,
            },
            { mount_type: 'kv' },
          ),
        };
      }
      if (write) {
        writeCap();
        const current = entry ?? this.newKey();
        if (body.custom_metadata !== undefined) {
          if (!isObject(body.custom_metadata)) throw new HttpError(400, ['custom_metadata validation failed: expected a map']);
          current.custom = validateCustomMetadata(body.custom_metadata);
        }
        if (body.max_versions !== undefined) current.maxVersions = Number(body.max_versions);
        if (body.cas_required !== undefined) current.casRequired = body.cas_required === true;
        current.updated = now();
        mount.kv2.set(key, current);
        return undefined;
      }
      if (r.method === 'DELETE') {
        can('delete');
        mount.kv2.delete(key);
        return undefined;
      }
    }

    if ((section === 'destroy' || section === 'delete' || section === 'undelete') && key !== '' && write) {
      can('update');
      const versions = Array.isArray(body.versions) ? body.versions.map(Number) : [];
      if (versions.length === 0) throw new HttpError(400, ['no version number provided']);
      for (const n of versions) {
        const v = entry?.versions.get(n);
        if (!v) continue;
        if (section === 'destroy') {
          v.destroyed = true;
          delete v.data;
        } else if (section === 'delete') {
          if (v.deletion === '') v.deletion = now();
        } else if (!v.destroyed) v.deletion = '';
      }
      return undefined;
    }

    throw new HttpError(404, [INVALID_KV2_PATH]);
  }

  private newKey(): KeyEntry {
    const t = now();
    return { created: t, updated: t, current: 0, oldest: 0, maxVersions: 0, casRequired: false, custom: null, versions: new Map() };
  }

  // ---- KV v1 ----

  private kv1(mount: Mount, key: string, r: { method: string; body: unknown }, can: (c: Capability) => void): { status?: number; body: Json } | undefined {
    if (r.method === 'LIST') {
      can('list');
      const folder = key === '' || key.endsWith('/') ? key : key + '/';
      const keys = new Set<string>();
      for (const k of mount.kv1.keys()) {
        if (!k.startsWith(folder)) continue;
        const tail = k.slice(folder.length);
        const cut = tail.indexOf('/');
        keys.add(cut < 0 ? tail : tail.slice(0, cut + 1));
      }
      if (keys.size === 0) throw notFound();
      return { body: this.envelope({ keys: [...keys].sort() }) };
    }
    if (key === '' || key.endsWith('/')) throw new HttpError(405, ['unsupported operation']);
    if (r.method === 'GET') {
      can('read');
      const data = mount.kv1.get(key);
      if (!data) throw notFound();
      return { body: { ...this.envelope(structuredClone(data)), lease_duration: 2764800 } };
    }
    if (r.method === 'POST' || r.method === 'PUT') {
      can(mount.kv1.has(key) ? 'update' : 'create');
      if (!isObject(r.body) || Object.keys(r.body).length === 0) throw new HttpError(400, ['missing data fields']);
      mount.kv1.set(key, structuredClone(r.body));
      return undefined;
    }
    if (r.method === 'DELETE') {
      can('delete');
      mount.kv1.delete(key);
      return undefined;
    }
    throw new HttpError(405, ['unsupported operation']);
  }
}

/** Vault's checks on custom_metadata: at most 64 keys, keys 1..128 and values 1..512 characters. */
function validateCustomMetadata(raw: Json): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = Object.entries(raw);
  if (entries.length > 64) throw new HttpError(400, [`custom_metadata validation failed: payload must contain at most 64 keys, provided ${entries.length}`]);
  const problems: string[] = [];
  for (const [k, v] of entries) {
    const value = v === null ? '' : String(v);
    if (k.length === 0 || k.length > 128)
      problems.push(`custom_metadata validation failed: length of key "${k}" is ${k.length} but must be 0 < len(key) <= 128`);
    if (value.length === 0 || value.length > 512)
      problems.push(`custom_metadata validation failed: length of value for key "${k}" is ${value.length} but must be 0 < len(value) <= 512`);
    out[k] = value;
  }
  if (problems.length > 0)
    throw new HttpError(400, [problems.length === 1 ? problems[0]! : `${problems.length} errors occurred:\n${problems.map((p) => `\t* ${p}`).join('\n')}\n\n`]);
  return out;
}

export async function startVaultServer(options: VaultServerOptions = {}): Promise<VaultServer> {
  return new VaultServer().listen(options);
}
