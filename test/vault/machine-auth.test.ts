// Vault for machines: AppRole, JWT and Kubernetes logins through the built CLI (separate processes), against
// the in-repo Vault server, with sentinel secrets that must never show up anywhere but in Vault.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { vaultBackend } from '../../src/stores/vault/descriptor.js';
import { CLI, createSandbox, type CliResult, type Sandbox, writeOwnConfig } from '../helpers/cli.js';
import { filesContaining } from '../helpers/oauth-cli.js';
import { backendEnv } from '../helpers/vault-target.js';
import { signJwt } from '../helpers/vault-server/jwt.js';
import { startVaultServer, type VaultServer } from '../helpers/vault-server/server.js';

const SECRET_ID = 'sentinel-secret-id-3f9c41d2';
const VALUE = 'sentinel-stored-value-77ab';
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const nowSeconds = () => Math.floor(Date.now() / 1000);
/** A JWT whose claims carry a sentinel, so that any copy of it is found. */
const jwt = (claims: Record<string, unknown> = {}) =>
  signJwt(
    {
      iss: 'https://ci.example',
      sub: 'repo:acme/app',
      aud: 'https://vault.example',
      iat: nowSeconds(),
      exp: nowSeconds() + 600,
      jti: 'sentinel-jwt',
      ...claims,
    },
    ec.privateKey,
  );

let vault: VaultServer;
let roleId: string;
let outside: string;
const sandboxes: Sandbox[] = [];

async function admin(method: string, path: string, body?: unknown) {
  const response = await fetch(`${vault.address}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': vault.rootToken },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? (JSON.parse(text) as { data: Record<string, string> }) : undefined;
}

async function sandbox(env: Record<string, string | undefined>, vaultSettings: object): Promise<Sandbox> {
  const s = await createSandbox(env);
  sandboxes.push(s);
  await writeOwnConfig(s.home, { tokenStorage: { vault: { address: vault.address, ...vaultSettings } } });
  return s;
}

const logins = (mount: string) => vault.requests.filter((r) => r.path === `auth/${mount}/login`).length;
const everything = (...results: CliResult[]) => results.map((r) => r.stdout + r.stderr).join('\n');

/** Every secret of the test that must stay out of output and files: the secret_id, every JWT and every token Vault issued. */
function secrets(...jwts: string[]): string[] {
  return [SECRET_ID, ...jwts, 'sentinel-jwt', ...vault.issued.map((i) => i.token)];
}

function expectNoSecrets(text: string, ...jwts: string[]): void {
  for (const secret of secrets(...jwts)) expect(text).not.toContain(secret);
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  vault = await startVaultServer();
  outside = await mkdtemp(join(tmpdir(), 'mcp-cli-vault-machine-'));
  vault.addPolicy('mcp-cli', [{ path: 'secret/*', capabilities: ['create', 'read', 'update', 'delete', 'list'] }]);
  await admin('POST', 'sys/auth/approle', { type: 'approle' });
  await admin('POST', 'auth/approle/role/ci', { token_policies: ['mcp-cli'], token_ttl: '1h' });
  roleId = (await admin('GET', 'auth/approle/role/ci/role-id'))!.data.role_id!;
  await admin('POST', 'auth/approle/role/ci/custom-secret-id', { secret_id: SECRET_ID });
  await admin('POST', 'sys/auth/jwt', { type: 'jwt' });
  await admin('POST', 'auth/jwt/config', { jwt_validation_pubkeys: [pem], bound_issuer: 'https://ci.example' });
  await admin('POST', 'auth/jwt/role/deploy', {
    role_type: 'jwt',
    bound_audiences: 'https://vault.example',
    user_claim: 'sub',
    token_policies: 'mcp-cli',
    token_ttl: 600,
  });
  await admin('POST', 'sys/auth/kubernetes', { type: 'kubernetes' });
  await admin('POST', 'auth/kubernetes/config', { kubernetes_host: 'https://kubernetes.default.svc', pem_keys: [pem] });
  await admin('POST', 'auth/kubernetes/role/mcp', {
    bound_service_account_names: 'mcp-cli',
    bound_service_account_namespaces: 'tools',
    token_policies: 'mcp-cli',
  });
});
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.cleanup()));
  await rm(outside, { recursive: true, force: true });
  await vault.close();
});
beforeEach(() => {
  vault.clearFaults();
});

describe('AppRole', () => {
  const approle = { auth: { method: 'approle', roleId: '' } };
  beforeAll(() => {
    approle.auth.roleId = roleId;
  });

  it('logs in with role_id from the config and secret_id from VAULT_SECRET_ID: tokens stored and read, the Vault token in memory only', async () => {
    const user = await sandbox({ VAULT_SECRET_ID: SECRET_ID }, approle);
    const before = logins('approle');
    const backends = await user.spawn(['token', 'backends', '--json']);
    expect(backends.code, backends.stderr).toBe(0);
    const report = JSON.parse(backends.stdout) as { active: { name: string; reason: string }; backends: { name: string; detail: string; auth: unknown }[] };
    expect(report.active).toMatchObject({ name: 'vault', reason: 'auto: configured by tokenStorage.vault.auth' });
    const row = report.backends.find((b) => b.name === 'vault')!;
    expect(row.auth).toEqual({ method: 'approle', mount: 'approle' });
    expect(row.detail).toContain(
      `${vault.address} secret/ (KV v2), path mcp-cli/, token from an AppRole login at auth/approle/ (role_id from tokenStorage.vault.auth.roleId, secret_id from VAULT_SECRET_ID)`,
    );
    expect(row.detail).not.toContain(roleId);

    const set = await user.spawn(['token', 'set', 'shared', '--type', 'bearer', '--namespace', 'team'], { input: VALUE });
    expect(set.code, set.stderr).toBe(0);
    const get = await user.spawn(['token', 'get', 'shared', '--namespace', 'team', '--show-value']);
    expect(get).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    // One login per command, and the token reached Vault's KV store.
    expect(logins('approle') - before).toBe(3);
    expect(await admin('GET', 'secret/data/mcp-cli/team/shared')).toMatchObject({ data: { data: { token: VALUE } } });

    expectNoSecrets(everything(backends, set, get));
    // Nothing under HOME holds the secret_id or a Vault token (the audit log included), and no .vault-token appeared.
    expect(await filesContaining(user.home, secrets())).toEqual([]);
    expect(existsSync(join(user.home, '.vault-token'))).toBe(false);
    // The audit log recorded the reads and writes (so the scan above looked into it).
    expect(await readFile(join(user.home, '.local', 'state', 'mcp-cli', 'audit.log'), 'utf8')).toContain('shared');
  });

  it('reads the secret_id from secretIdFile (relative to the config file), and keeps the Vault token in tokenFile only when asked', async () => {
    const user = await sandbox({}, {});
    const configDir = join(user.home, '.config', 'mcp-cli');
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, 'secret-id'), `${SECRET_ID}\n`, { mode: 0o600 });
    await writeOwnConfig(user.home, {
      tokenStorage: {
        backend: 'vault',
        vault: { address: vault.address, auth: { method: 'approle', roleId, secretIdFile: 'secret-id', tokenFile: '~/.cache/mcp-cli/vault-token' } },
      },
    });
    const tokenFile = join(user.home, '.cache', 'mcp-cli', 'vault-token');
    const before = logins('approle');
    const first = await user.spawn(['token', 'list', '--json']);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining('"shared"') });
    expect(logins('approle') - before).toBe(1);
    const kept = (await readFile(tokenFile, 'utf8')).trim();
    expect(kept).toBe(vault.issued.at(-1)!.token);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);

    // The next command uses the kept token while Vault accepts it: no login.
    vault.clearLog();
    const second = await user.spawn(['token', 'list', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(logins('approle')).toBe(0);
    expect(vault.requests.some((r) => r.path === 'auth/token/lookup-self')).toBe(true);

    // Once Vault no longer accepts it, a new login replaces it in the file.
    vault.expireToken(kept);
    const third = await user.spawn(['token', 'list', '--json']);
    expect(third.code, third.stderr).toBe(0);
    expect(logins('approle')).toBe(1);
    expect((await readFile(tokenFile, 'utf8')).trim()).toBe(vault.issued.at(-1)!.token);
    expectNoSecrets(everything(first, second, third));
  });

  it('a wrong secret_id is one login attempt and a clear error, with any secret Vault echoes scrubbed', async () => {
    const user = await sandbox({ VAULT_SECRET_ID: 'sentinel-wrong-secret-id' }, approle);
    vault.clearLog();
    const wrong = await user.spawn(['token', 'list']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`Vault at ${vault.address} refused the login at auth/approle/login (400: invalid role or secret ID)`);
    expect(wrong.stderr).toContain('check tokenStorage.vault.auth.roleId and the secret_id from VAULT_SECRET_ID');
    expect(logins('approle')).toBe(1);
    expect(wrong.stderr).not.toContain('sentinel-wrong-secret-id');

    // Older Vault versions put the secret_id in the message ("invalid secret_id %q"): it never reaches the output.
    vault.inject({ status: 400, times: 1, pathIncludes: 'auth/approle/login', errors: ['invalid secret_id "sentinel-wrong-secret-id"'] });
    const echoed = await user.spawn(['token', 'list']);
    expect(echoed.code).toBe(1);
    expect(echoed.stderr).toContain('(400: invalid secret_id "[redacted]")');
    expect(echoed.stderr).not.toContain('sentinel-wrong-secret-id');
  });

  it('says where the secret_id should come from when there is none, without contacting Vault', async () => {
    const user = await sandbox({ VAULT_SECRET_ID: undefined }, approle);
    vault.clearLog();
    const missing = await user.spawn(['token', 'list']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no AppRole secret_id: VAULT_SECRET_ID is not set and tokenStorage.vault.auth has no secretIdFile');
    expect(logins('approle')).toBe(0);
  });

  it('exec: the program gets neither VAULT_SECRET_ID nor any Vault token, and ${VAULT_SECRET_ID} is refused as a reference', async () => {
    const user = await sandbox({ VAULT_SECRET_ID: SECRET_ID }, approle);
    const dump = join(outside, 'exec-env.json');
    const ran = await user.spawn([
      'exec',
      '--env',
      'API_TOKEN=${TOKEN:team:shared}',
      '--',
      process.execPath,
      '-e',
      'require("fs").writeFileSync(process.argv[1], JSON.stringify({ env: process.env, argv: process.argv }))',
      dump,
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    const seen = await readFile(dump, 'utf8');
    const { env } = JSON.parse(seen) as { env: Record<string, string> };
    expect(env.API_TOKEN).toBe(VALUE);
    expect(Object.keys(env)).not.toContain('VAULT_SECRET_ID');
    expectNoSecrets(seen);
    expectNoSecrets(everything(ran));

    const refused = await user.spawn(['exec', '--env', 'X=${VAULT_SECRET_ID}', '--', process.execPath, '-e', '']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("is mcp-cli's own credential (the AppRole secret_id that logs in to the Vault backend)");
    expect(refused.stderr).not.toContain(SECRET_ID);
  });
});

describe('JWT and Kubernetes', () => {
  it('logs in with the JWT from a file and VAULT_ROLE, as a CI job does', async () => {
    const token = jwt();
    const file = join(outside, 'ci-oidc.jwt');
    await writeFile(file, `${token}\n`);
    const user = await sandbox({ VAULT_ROLE: 'deploy' }, { auth: { method: 'jwt', jwtFile: file } });
    const before = logins('jwt');
    const backends = await user.spawn(['token', 'backends']);
    expect(backends.code, backends.stderr).toBe(0);
    expect(backends.stdout).toContain(`token from a JWT login at auth/jwt/ (role "deploy" from VAULT_ROLE, JWT from ${file})`);
    const set = await user.spawn(['token', 'set', 'ci-key', '--type', 'api-key', '--provider', 'acme', '--namespace', 'ci'], { input: VALUE });
    expect(set.code, set.stderr).toBe(0);
    const get = await user.spawn(['token', 'get', 'ci-key', '--namespace', 'ci', '--show-value']);
    expect(get).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    expect(logins('jwt') - before).toBe(3);
    expectNoSecrets(everything(backends, set, get), token);
    expect(await filesContaining(user.home, secrets(token))).toEqual([]);
  });

  it("a wrong audience is Vault's words and a hint; an expired JWT and a missing file are said without contacting Vault", async () => {
    const file = join(outside, 'wrong.jwt');
    const user = await sandbox({ VAULT_ROLE: 'deploy' }, { auth: { method: 'jwt', jwtFile: file } });
    const wrongAudience = jwt({ aud: 'https://elsewhere.example' });
    await writeFile(file, wrongAudience);
    vault.clearLog();
    const refused = await user.spawn(['token', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`refused the login at auth/jwt/login (400: error validating claims: aud claim does not match any bound audience)`);
    expect(refused.stderr).toContain(`check the role's bound_audiences, bound_subject and bound_claims against the claims of the JWT in ${file}`);
    expect(logins('jwt')).toBe(1);

    const expired = jwt({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 });
    await writeFile(file, expired);
    vault.clearLog();
    const stale = await user.spawn(['token', 'list']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(new RegExp(`the JWT in ${file} expired at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, so it was not sent to Vault`));
    expect(logins('jwt')).toBe(0);

    await rm(file);
    const missing = await user.spawn(['token', 'list']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read the JWT file ${file}: no such file or directory`);
    expect(logins('jwt')).toBe(0);
    expectNoSecrets(everything(refused, stale, missing), wrongAudience, expired);
  });

  it('logs in with a Kubernetes service account token', async () => {
    const file = join(outside, 'sa-token');
    const serviceAccountToken = signJwt(
      {
        iss: 'https://kubernetes.default.svc',
        aud: ['https://kubernetes.default.svc'],
        exp: nowSeconds() + 3600,
        iat: nowSeconds(),
        'kubernetes.io': { namespace: 'tools', serviceaccount: { name: 'mcp-cli', uid: 'u-1' } },
        sub: 'system:serviceaccount:tools:mcp-cli',
      },
      ec.privateKey,
    );
    await writeFile(file, serviceAccountToken);
    const user = await sandbox({}, { auth: { method: 'kubernetes', role: 'mcp', jwtFile: file } });
    const listed = await user.spawn(['token', 'list', '--namespace', 'team', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'shared' })]);
    expectNoSecrets(everything(listed), serviceAccountToken);
  });
});

describe('trust and bounds', () => {
  it("an unapproved config's tokenStorage.vault.auth is never used: its Vault is not contacted and its JWT file not sent", async () => {
    const impostor = await startVaultServer();
    try {
      const file = join(outside, 'machine.jwt');
      const token = jwt();
      await writeFile(file, token);
      const user = await sandbox({ VAULT_SECRET_ID: SECRET_ID }, { auth: { method: 'approle', roleId } });
      await writeFile(
        join(user.home, 'server_config.json'),
        JSON.stringify({ tokenStorage: { backend: 'vault', vault: { address: impostor.address, auth: { method: 'jwt', role: 'x', jwtFile: file } } } }),
      );
      const result = await user.spawn(['token', 'list', '--namespace', 'team', '--json']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/server_config\.json is not approved.*tokenStorage/s);
      expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ name: 'shared' })]);
      expect(impostor.requests).toEqual([]);
    } finally {
      await impostor.close();
    }
  });

  it('a refused login is not repeated for every request, and a token Vault stops accepting is replaced by one new login', async () => {
    const settings = { address: vault.address, auth: { method: 'approle' as const, roleId } };
    vault.clearLog();
    const wrong = await vaultBackend.probe(backendEnv({ VAULT_SECRET_ID: 'sentinel-wrong' }, settings));
    expect(wrong.available).toBe(false);
    expect(logins('approle')).toBe(1);

    const store = await vaultBackend.open(backendEnv({ VAULT_SECRET_ID: SECRET_ID }, settings));
    expect(logins('approle')).toBe(2);
    const at = '2026-12-01T00:00:00.000Z';
    await store.put({ metadata: { name: 'kept', namespace: 'bounds', type: 'bearer', createdAt: at, updatedAt: at, details: {} }, secret: { token: VALUE } });
    vault.expireToken(vault.issued.at(-1)!.token);
    // Ten requests at once meet the dead token: one login serves them all.
    const lists = await Promise.all(Array.from({ length: 10 }, () => store.list('bounds')));
    expect(lists.map((l) => l.map((t) => t.name))).toEqual(Array(10).fill(['kept']));
    expect(logins('approle')).toBe(3);
    // A 403 from a policy (the token still valid) is no reason to log in again.
    vault.inject({ status: 403, times: 1, pathIncludes: 'secret/data/mcp-cli/bounds/kept', errors: ['permission denied'] });
    await expect(store.get({ namespace: 'bounds', name: 'kept' })).rejects.toThrow(/Vault denied access to secret\/data\/mcp-cli\/bounds\/kept/);
    expect(logins('approle')).toBe(3);
  });

  it('a long-running process whose secret_id has run out tries one login, not one per request', async () => {
    await admin('POST', 'auth/approle/role/ci/custom-secret-id', { secret_id: 'sentinel-single-use', num_uses: 1 });
    const store = await vaultBackend.open(
      backendEnv({ VAULT_SECRET_ID: 'sentinel-single-use' }, { address: vault.address, auth: { method: 'approle', roleId } }),
    );
    vault.clearLog();
    vault.expireToken(vault.issued.at(-1)!.token);
    const failures: string[] = [];
    for (let i = 0; i < 5; i++)
      failures.push(
        await store.list('bounds').then(
          () => 'listed',
          (error: Error) => error.message,
        ),
      );
    expect(new Set(failures)).toEqual(new Set([`Vault at ${vault.address} refused the login at auth/approle/login (400: invalid role or secret ID)`]));
    expect(logins('approle')).toBe(1);
  });
});
