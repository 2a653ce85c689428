// Vault's AppRole, JWT and Kubernetes auth methods, for the stand-in. Paths, parameters and answers follow
// Vault's API documentation:
//   https://developer.hashicorp.com/vault/api-docs/auth/approle     role, role-id, secret-id, custom-secret-id, login
//   https://developer.hashicorp.com/vault/api-docs/auth/jwt         config, role, login
//   https://developer.hashicorp.com/vault/api-docs/auth/kubernetes  config, role, login
//   https://developer.hashicorp.com/vault/api-docs/system/auth      sys/auth (enable, disable, list)
// and the error texts and checks follow the methods' sources: builtin/credential/approle/path_login.go in
// hashicorp/vault, path_login.go in hashicorp/vault-plugin-auth-jwt (go-jose's claim checks with their
// leeways) and in hashicorp/vault-plugin-auth-kubernetes. Every refusal of a login is 400 with Vault's
// message, except the Kubernetes method's, which are 403 (logical.CodedError(http.StatusForbidden, ...)).
// Not modelled: the Kubernetes method's TokenReview call to the cluster's API (the stand-in checks the
// service account token's signature against `pem_keys` and its claims, which real Vault also does first),
// OIDC discovery and JWKS URLs, CIDR bindings, and entities.
import { randomUUID } from 'node:crypto';
import { HttpError, isObject, type Json } from './http-error.js';
import { verifyJwt } from './jwt.js';

export type AuthType = 'approle' | 'jwt' | 'kubernetes';
export const AUTH_TYPES: readonly string[] = ['approle', 'jwt', 'kubernetes'];

/** Vault's system default and maximum lease TTL (768h), used when a role sets none. */
export const SYSTEM_TTL = 2_764_800;

/** What a successful login asks the token store to issue. */
export interface Grant {
  policies: string[];
  ttl: number;
  maxTtl: number;
  batch: boolean;
  meta: Record<string, string>;
  displayName: string;
}

interface SecretIdEntry {
  role: string;
  accessor: string;
  /** 0: unlimited. */
  usesLeft: number;
  expiresAt?: number;
}

/** A Go duration (`90s`, `1h30m`) or a number of seconds, as Vault's TTL parameters take them. */
export function seconds(value: unknown, field: string): number {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'number') return value;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new HttpError(400, [`error converting input ${text} for field "${field}": time: invalid duration "${text}"`]);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * { h: 3600, m: 60, s: 1, ms: 0.001 }[unit as 'h' | 'm' | 's' | 'ms'], 0);
}

const list = (value: unknown): string[] =>
  value === undefined || value === null || value === ''
    ? []
    : Array.isArray(value)
      ? value.map(String)
      : String(value)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);

/** The token fields every role of these methods takes (Vault's tokenutil: token_ttl, token_max_ttl, token_policies, token_type). */
function tokenFields(body: Json, previous: Json = {}): Json {
  const merged = { ...previous };
  for (const field of ['token_ttl', 'token_max_ttl']) if (body[field] !== undefined) merged[field] = seconds(body[field], field);
  if (body.token_policies !== undefined || body.policies !== undefined) merged.token_policies = list(body.token_policies ?? body.policies);
  if (body.token_type !== undefined) merged.token_type = String(body.token_type);
  return merged;
}

function grantOf(role: Json, meta: Record<string, string>, displayName: string): Grant {
  const maxTtl = Number(role.token_max_ttl) || SYSTEM_TTL;
  return {
    policies: ['default', ...((role.token_policies as string[] | undefined) ?? [])],
    ttl: Math.min(Number(role.token_ttl) || SYSTEM_TTL, maxTtl),
    maxTtl,
    batch: role.token_type === 'batch',
    meta,
    displayName,
  };
}

export class AuthMount {
  readonly accessor: string;
  readonly uuid = randomUUID();
  config: Json = {};
  readonly roles = new Map<string, Json>();
  /** AppRole: role_id -> role name; secret_id -> its entry. */
  private readonly roleIds = new Map<string, string>();
  private readonly secretIds = new Map<string, SecretIdEntry>();

  constructor(
    readonly type: AuthType,
    /** With a trailing slash. */
    readonly path: string,
  ) {
    this.accessor = `auth_${type}_${randomUUID().slice(0, 8)}`;
  }

  info(): Json {
    return { type: this.type, accessor: this.accessor, uuid: this.uuid, description: '', local: false, seal_wrap: false, config: {}, options: null };
  }

  /** Everything under `auth/<path>` except login, for a token the ACL already let through. Undefined: 204. */
  manage(rest: string, method: string, body: Json): Json | undefined {
    const write = method === 'POST' || method === 'PUT';
    if (rest === 'config' && this.type !== 'approle') {
      if (write) {
        this.config = this.type === 'jwt' ? this.jwtConfig(body) : this.kubernetesConfig(body);
        return undefined;
      }
      if (method === 'GET') return { data: this.config };
    }
    if (rest === 'role' && method === 'LIST') {
      if (this.roles.size === 0) throw new HttpError(404, []);
      return { data: { keys: [...this.roles.keys()].sort() } };
    }
    const match = /^role\/([^/]+)(?:\/(role-id|secret-id|custom-secret-id))?$/.exec(rest);
    if (!match) throw new HttpError(404, [`no handler for route "auth/${this.path}${rest}". route entry not found.`]);
    const [, name, sub] = match as unknown as [string, string, string | undefined];
    if (sub === undefined) {
      if (write) {
        this.writeRole(name, body);
        return undefined;
      }
      const role = this.roles.get(name);
      if (method === 'GET') {
        if (!role) throw new HttpError(404, []);
        return { data: role };
      }
      if (method === 'DELETE') {
        this.roles.delete(name);
        return undefined;
      }
    }
    if (this.type !== 'approle') throw new HttpError(404, [`no handler for route "auth/${this.path}${rest}". route entry not found.`]);
    const role = this.roles.get(name);
    if (!role) throw new HttpError(400, [`role "${name}" does not exist`]);
    if (sub === 'role-id' && method === 'GET') return { data: { role_id: role.role_id } };
    if (sub === 'role-id' && write) {
      this.roleIds.delete(String(role.role_id));
      role.role_id = String(body.role_id);
      this.roleIds.set(role.role_id as string, name);
      return undefined;
    }
    if ((sub === 'secret-id' || sub === 'custom-secret-id') && write) {
      const secretId = sub === 'custom-secret-id' ? String(body.secret_id ?? '') : randomUUID();
      if (secretId === '') throw new HttpError(400, ['missing secret_id']);
      const numUses = body.num_uses !== undefined ? Number(body.num_uses) : Number(role.secret_id_num_uses ?? 0);
      const ttl = body.ttl !== undefined ? seconds(body.ttl, 'ttl') : Number(role.secret_id_ttl ?? 0);
      const accessor = randomUUID();
      this.secretIds.set(secretId, { role: name, accessor, usesLeft: numUses, ...(ttl > 0 ? { expiresAt: Date.now() + ttl * 1000 } : {}) });
      return { data: { secret_id: secretId, secret_id_accessor: accessor, secret_id_ttl: ttl, secret_id_num_uses: numUses } };
    }
    throw new HttpError(405, ['unsupported operation']);
  }

  /** `POST auth/<path>/login`: the grant, or Vault's refusal. */
  login(body: Json): Grant {
    if (this.type === 'approle') return this.approleLogin(body);
    if (this.type === 'jwt') return this.jwtLogin(body);
    return this.kubernetesLogin(body);
  }

  private writeRole(name: string, body: Json): void {
    const previous = this.roles.get(name) ?? {};
    const role: Json = tokenFields(body, previous);
    if (this.type === 'approle') {
      role.bind_secret_id = body.bind_secret_id ?? previous.bind_secret_id ?? true;
      for (const field of ['secret_id_num_uses', 'secret_id_ttl'])
        role[field] = body[field] !== undefined ? seconds(body[field], field) : (previous[field] ?? 0);
      role.role_id = previous.role_id ?? randomUUID();
      this.roleIds.set(role.role_id as string, name);
    } else if (this.type === 'jwt') {
      role.role_type = String(body.role_type ?? previous.role_type ?? 'oidc');
      role.bound_audiences = body.bound_audiences !== undefined ? list(body.bound_audiences) : (previous.bound_audiences ?? []);
      role.bound_subject = String(body.bound_subject ?? previous.bound_subject ?? '');
      role.bound_claims = isObject(body.bound_claims) ? body.bound_claims : (previous.bound_claims ?? null);
      role.user_claim = String(body.user_claim ?? previous.user_claim ?? '');
      for (const field of ['clock_skew_leeway', 'expiration_leeway', 'not_before_leeway'])
        role[field] = body[field] !== undefined ? seconds(body[field], field) : (previous[field] ?? 0);
      if (role.user_claim === '') throw new HttpError(400, ['a user claim must be defined on the role']);
      if (role.role_type === 'jwt' && (role.bound_audiences as string[]).length === 0 && role.bound_subject === '' && !role.bound_claims)
        throw new HttpError(400, ['must have at least one bound constraint when creating/updating a role']);
    } else {
      role.bound_service_account_names =
        body.bound_service_account_names !== undefined ? list(body.bound_service_account_names) : previous.bound_service_account_names;
      role.bound_service_account_namespaces =
        body.bound_service_account_namespaces !== undefined ? list(body.bound_service_account_namespaces) : previous.bound_service_account_namespaces;
      role.audience = String(body.audience ?? previous.audience ?? '');
      if (!(role.bound_service_account_names as string[] | undefined)?.length) throw new HttpError(400, ['"bound_service_account_names" can not be empty']);
      if (!(role.bound_service_account_namespaces as string[] | undefined)?.length)
        throw new HttpError(400, ['"bound_service_account_namespaces" can not be empty']);
    }
    this.roles.set(name, role);
  }

  private jwtConfig(body: Json): Json {
    const keys = list(body.jwt_validation_pubkeys);
    if (keys.length === 0) throw new HttpError(400, ["exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set"]);
    return { jwt_validation_pubkeys: keys, bound_issuer: String(body.bound_issuer ?? ''), default_role: String(body.default_role ?? '') };
  }

  private kubernetesConfig(body: Json): Json {
    if (!body.kubernetes_host) throw new HttpError(400, ['no host provided']);
    return { kubernetes_host: String(body.kubernetes_host), pem_keys: list(body.pem_keys), issuer: String(body.issuer ?? '') };
  }

  private approleLogin(body: Json): Grant {
    const roleId = String(body.role_id ?? '').trim();
    if (roleId === '') throw new HttpError(400, ['missing role_id']);
    const name = this.roleIds.get(roleId);
    const role = name === undefined ? undefined : this.roles.get(name);
    if (!role || name === undefined) throw new HttpError(400, ['invalid role or secret ID']);
    if (role.bind_secret_id !== false) {
      const secretId = String(body.secret_id ?? '').trim();
      if (secretId === '') throw new HttpError(400, ['missing secret_id']);
      const entry = this.secretIds.get(secretId);
      if (!entry || entry.role !== name || (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()))
        throw new HttpError(400, ['invalid role or secret ID']);
      // The last use deletes the secret_id; later logins with it fail as an unknown one does.
      if (entry.usesLeft === 1) this.secretIds.delete(secretId);
      else if (entry.usesLeft > 1) entry.usesLeft--;
    }
    return grantOf(role, { role_name: name }, `approle`);
  }

  private jwtLogin(body: Json): Grant {
    if (this.config.jwt_validation_pubkeys === undefined) throw new HttpError(400, ['could not load configuration']);
    const name = String(body.role ?? '') || String(this.config.default_role ?? '');
    if (name === '') throw new HttpError(400, ['missing role']);
    const role = this.roles.get(name);
    if (!role) throw new HttpError(400, [`role "${name}" could not be found`]);
    if (role.role_type === 'oidc') throw new HttpError(400, ['role with oidc role_type is not allowed']);
    const jwt = String(body.jwt ?? '');
    if (jwt === '') throw new HttpError(400, ['missing token']);
    const parsed = verifyJwt(jwt, this.config.jwt_validation_pubkeys as string[]);
    if (!parsed.ok) throw new HttpError(400, [parsed.error]);
    const claims = parsed.claims;
    const problem = jwtClaimsProblem(claims, role, String(this.config.bound_issuer ?? ''));
    if (problem) throw new HttpError(400, [problem]);
    const user = claims[String(role.user_claim)];
    if (user === undefined) throw new HttpError(400, [`claim "${String(role.user_claim)}" not found in token`]);
    if (typeof user !== 'string') throw new HttpError(400, [`claim "${String(role.user_claim)}" could not be converted to string`]);
    return grantOf(role, { role: name }, user);
  }

  private kubernetesLogin(body: Json): Grant {
    const name = String(body.role ?? '');
    if (name === '') throw new HttpError(400, ['missing role']);
    const jwt = String(body.jwt ?? '');
    if (jwt === '') throw new HttpError(400, ['missing jwt']);
    const role = this.roles.get(name);
    if (!role) throw new HttpError(400, [`invalid role name "${name}"`]);
    const parsed = verifyJwt(jwt, (this.config.pem_keys as string[] | undefined) ?? []);
    if (!parsed.ok) throw new HttpError(403, ['permission denied']);
    const claims = parsed.claims;
    const leeway = 150;
    const now = Date.now() / 1000;
    if (typeof claims.exp === 'number' && claims.exp + leeway < now) throw new HttpError(403, ['invalid expiration time (exp) claim: token is expired']);
    if (this.config.issuer && claims.iss !== this.config.issuer) throw new HttpError(403, ['invalid issuer (iss) claim']);
    if (role.audience && !audiences(claims.aud).includes(String(role.audience)))
      throw new HttpError(403, ['invalid audience (aud) claim: audience claim does not match any expected audience']);
    const projected = isObject(claims['kubernetes.io']) ? claims['kubernetes.io'] : undefined;
    const account =
      projected && isObject(projected.serviceaccount)
        ? String(projected.serviceaccount.name)
        : String(claims['kubernetes.io/serviceaccount/service-account.name'] ?? '');
    const namespace = projected ? String(projected.namespace) : String(claims['kubernetes.io/serviceaccount/namespace'] ?? '');
    const names = role.bound_service_account_names as string[];
    const namespaces = role.bound_service_account_namespaces as string[];
    if (!names.includes('*') && !names.includes(account)) throw new HttpError(403, ['service account name not authorized']);
    if (!namespaces.includes('*') && !namespaces.includes(namespace)) throw new HttpError(403, ['namespace not authorized']);
    return grantOf(role, { role: name, service_account_name: account, service_account_namespace: namespace }, `${namespace}-${account}`);
  }
}

const audiences = (aud: unknown): string[] => (Array.isArray(aud) ? aud.map(String) : typeof aud === 'string' ? [aud] : []);

/** The JWT plugin's claim checks for a `jwt` role with static keys (path_login.go), in its order and words. */
function jwtClaimsProblem(claims: Json, role: Json, boundIssuer: string): string | undefined {
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const iat = num(claims.iat);
  let exp = num(claims.exp);
  let nbf = num(claims.nbf);
  if (iat === 0 && exp === 0 && nbf === 0) return 'no issue time, notbefore, or expiration time encoded in token';
  const leewayOf = (field: string, fallback: number) => {
    const value = Number(role[field] ?? 0);
    return value < 0 ? 0 : value === 0 ? fallback : value;
  };
  if (exp === 0) exp = Math.max(iat, nbf) + leewayOf('expiration_leeway', 150);
  if (nbf === 0) nbf = iat !== 0 ? iat : exp - leewayOf('not_before_leeway', 150);
  const aud = audiences(claims.aud);
  const bound = (role.bound_audiences as string[]) ?? [];
  if (aud.length > 0 && bound.length === 0) return 'audience claim found in JWT but no audiences bound to the role';
  const skew = leewayOf('clock_skew_leeway', 60);
  const now = Date.now() / 1000;
  const failed = (what: string) => `error validating claims: go-jose/go-jose/jwt: validation failed, ${what}`;
  if (boundIssuer !== '' && claims.iss !== boundIssuer) return failed('invalid issuer claim (iss)');
  if (role.bound_subject && claims.sub !== role.bound_subject) return failed('invalid subject claim (sub)');
  if (now + skew < nbf) return failed('token not valid yet (nbf)');
  if (now - skew > exp) return failed('token is expired (exp)');
  if (iat !== 0 && now + skew < iat) return failed('token issued in the future (iat)');
  if (bound.length > 0 && !aud.some((a) => bound.includes(a))) return 'error validating claims: aud claim does not match any bound audience';
  if (isObject(role.bound_claims))
    for (const [claim, expected] of Object.entries(role.bound_claims)) {
      const wanted = Array.isArray(expected) ? expected.map(String) : [String(expected)];
      const actual = claims[claim];
      const values = Array.isArray(actual) ? actual.map(String) : actual === undefined ? [] : [String(actual)];
      if (!values.some((v) => wanted.includes(v))) return `error validating claims: claim "${claim}" does not match any associated bound claim values`;
    }
  return undefined;
}
