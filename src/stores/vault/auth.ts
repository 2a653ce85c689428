import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { VaultAuthSettings, VaultLoginMethod, VaultSettings } from '../../config/vault-settings.js';
import { fsReason } from '../../fs/errors.js';
import { expandHome, tildePath, type Env } from '../../paths.js';
import { resolveToken, vaultFailure, type VaultToken } from './connection.js';

/** Where a pod's service account token lies, and so the Kubernetes method's JWT by default. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

const LABEL: Record<VaultLoginMethod, string> = { approle: 'AppRole', jwt: 'JWT', kubernetes: 'Kubernetes' };

/** What a login sends: the body of `POST auth/<mount>/login`, and the secret values in it (never to be shown). */
export interface LoginRequest {
  body: Record<string, string>;
  secrets: string[];
}

/** A way to log in to Vault, with what it needs read afresh at each login (a JWT file is rotated under us). */
export interface LoginMethod {
  method: VaultLoginMethod;
  mount: string;
  /** In words, never a secret: `an AppRole login at auth/approle/ (secret_id from VAULT_SECRET_ID)`. */
  description: string;
  /** What the user should check when Vault refuses the login. */
  remedy: string;
  /** Where the user asked the token to be kept between commands; by default it lives in memory only. */
  tokenFile?: string;
  credentials(now: number): Promise<LoginRequest>;
}

export type VaultAuth = { kind: 'token'; token: VaultToken | undefined } | { kind: 'login'; login: LoginMethod };

/** For `token backends --json`: the method and its mount, never a secret. */
export function authSummary(settings: VaultSettings | undefined): { method: string; mount?: string } {
  const auth = settings?.auth;
  if (!auth || auth.method === 'token') return { method: 'token' };
  return { method: auth.method, mount: auth.mount ?? auth.method };
}

/**
 * How mcp-cli gets its Vault token: VAULT_TOKEN or ~/.vault-token (the `token` method, the default),
 * or a login named by `tokenStorage.vault.auth`. Reading the secrets waits for the login itself.
 */
export async function resolveAuth(settings: VaultSettings | undefined, env: Env, home: string = env.HOME || homedir()): Promise<VaultAuth> {
  const auth = settings?.auth;
  if (!auth || auth.method === 'token') return { kind: 'token', token: await resolveToken(env, home) };
  return { kind: 'login', login: loginMethod(auth, auth.method, env, home) };
}

function loginMethod(auth: VaultAuthSettings, method: VaultLoginMethod, env: Env, home: string): LoginMethod {
  const mount = auth.mount ?? method;
  const tokenFile = auth.tokenFile === undefined ? {} : { tokenFile: expandHome(auth.tokenFile, home) };
  if (method === 'approle') {
    const secretFrom = env.VAULT_SECRET_ID ? 'VAULT_SECRET_ID' : auth.secretIdFile ? tildePath(expandHome(auth.secretIdFile, home), home) : undefined;
    return {
      method,
      mount,
      ...tokenFile,
      description: `an AppRole login at auth/${mount}/ (role_id from tokenStorage.vault.auth.roleId, secret_id from ${secretFrom ?? 'nowhere'})`,
      remedy: `check tokenStorage.vault.auth.roleId and the secret_id from ${secretFrom ?? 'VAULT_SECRET_ID'}: a secret_id expires after its secret_id_ttl and secret_id_num_uses logins`,
      async credentials() {
        const secretId = await readSecretId(auth, env, home);
        return { body: { role_id: auth.roleId!, secret_id: secretId }, secrets: [secretId] };
      },
    };
  }
  const role = env.VAULT_ROLE || auth.role;
  const roleFrom = env.VAULT_ROLE ? 'VAULT_ROLE' : 'tokenStorage.vault.auth.role';
  const file = expandHome(auth.jwtFile ?? SERVICE_ACCOUNT_TOKEN, home);
  const shown = tildePath(file, home);
  return {
    method,
    mount,
    ...tokenFile,
    description: `a ${LABEL[method]} login at auth/${mount}/ (${role ? `role ${JSON.stringify(role)} from ${roleFrom}` : "the mount's default_role"}, JWT from ${shown})`,
    remedy:
      method === 'kubernetes'
        ? `check the role's bound_service_account_names and bound_service_account_namespaces against the service account whose token is in ${shown}`
        : `check the role's bound_audiences, bound_subject and bound_claims against the claims of the JWT in ${shown}`,
    async credentials(now) {
      if (method === 'kubernetes' && !role)
        throw vaultFailure('invalid-setting', 'the Kubernetes login needs a role', 'set VAULT_ROLE or tokenStorage.vault.auth.role');
      const jwt = await readJwt(file, shown, now);
      return { body: { ...(role ? { role } : {}), jwt }, secrets: [jwt] };
    },
  };
}

async function readSecretId(auth: VaultAuthSettings, env: Env, home: string): Promise<string> {
  const fromEnv = env.VAULT_SECRET_ID?.trim();
  if (fromEnv) return fromEnv;
  if (auth.secretIdFile === undefined)
    throw vaultFailure(
      'invalid-setting',
      'no AppRole secret_id: VAULT_SECRET_ID is not set and tokenStorage.vault.auth has no secretIdFile',
      'set VAULT_SECRET_ID, or name the file that holds it in tokenStorage.vault.auth.secretIdFile',
    );
  const path = expandHome(auth.secretIdFile, home);
  const secretId = (await readSecretFile(path, 'secret_id', tildePath(path, home))).trim();
  if (secretId === '') throw vaultFailure('invalid-setting', `the secret_id file ${tildePath(path, home)} is empty`);
  return secretId;
}

async function readSecretFile(path: string, what: string, shown: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw vaultFailure('io', `cannot read the ${what} file ${shown}: ${fsReason(error)}`);
  }
}

/** The JWT in `file`, checked for shape and expiry here, so that a stale file is said plainly and never sent. */
async function readJwt(file: string, shown: string, now: number): Promise<string> {
  let jwt: string;
  try {
    jwt = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw vaultFailure(
      'io',
      `cannot read the JWT file ${shown}: ${fsReason(error)}`,
      code === 'ENOENT' ? "write the CI job's OIDC token there before mcp-cli runs, or mount the service account token (see docs/vault.md)" : undefined,
    );
  }
  const parts = jwt.split('.');
  let claims: { exp?: unknown } | undefined;
  try {
    if (parts.length === 3) claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
  } catch {
    claims = undefined;
  }
  if (typeof claims !== 'object' || claims === null)
    throw vaultFailure('invalid-setting', `the JWT file ${shown} does not hold a JWT (three base64url parts separated by dots)`);
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= now)
    throw vaultFailure(
      'no-access',
      `the JWT in ${shown} expired at ${new Date(claims.exp * 1000).toISOString()}, so it was not sent to Vault`,
      'write a fresh token to the file (a CI job requests a new OIDC token; Kubernetes refreshes a projected token itself)',
    );
  return jwt;
}
