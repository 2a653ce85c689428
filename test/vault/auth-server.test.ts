// The in-repo Vault stand-in's auth methods answer as Vault's API documentation and the methods' sources say
// (see test/helpers/vault-server/auth.ts for the pages and files followed).
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../helpers/vault-server/jwt.js';
import { startVaultServer, type VaultServer } from '../helpers/vault-server/server.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

let vault: VaultServer;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: typeof ec.publicKey) => key.export({ type: 'spki', format: 'pem' }).toString();
const nowSeconds = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  vault = await startVaultServer();
});
afterAll(async () => {
  await vault.close();
});

async function call(method: string, path: string, options: { token?: string | null; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.token !== null) headers['X-Vault-Token'] = options.token ?? vault.rootToken;
  const response = await fetch(`${vault.address}/v1/${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Body) : undefined };
}

describe('in-repo Vault server: AppRole', () => {
  let roleId: string;

  beforeAll(async () => {
    expect((await call('POST', 'sys/auth/approle', { body: { type: 'approle' } })).status).toBe(204);
    expect((await call('POST', 'sys/auth/approle', { body: { type: 'approle' } })).body).toEqual({ errors: ['path is already in use at approle/'] });
    const role = await call('POST', 'auth/approle/role/ci', { body: { token_ttl: '20s', token_max_ttl: 30, token_policies: 'kv-rw', secret_id_num_uses: 2 } });
    expect(role.status).toBe(204);
    roleId = (await call('GET', 'auth/approle/role/ci/role-id')).body!.data.role_id;
    expect(roleId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs in without a token with role_id and secret_id, answering with the documented auth block', async () => {
    const secret = await call('POST', 'auth/approle/role/ci/secret-id');
    expect(secret.body!.data).toMatchObject({ secret_id_num_uses: 2, secret_id_ttl: 0, secret_id_accessor: expect.any(String) });
    const login = await call('POST', 'auth/approle/login', { token: null, body: { role_id: roleId, secret_id: secret.body!.data.secret_id } });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ data: null, lease_duration: 0, renewable: false, lease_id: '', warnings: null, wrap_info: null });
    expect(login.body!.auth).toMatchObject({
      client_token: expect.stringMatching(/^hvs\./),
      accessor: expect.any(String),
      policies: ['default', 'kv-rw'],
      token_policies: ['default', 'kv-rw'],
      metadata: { role_name: 'ci' },
      lease_duration: 20,
      renewable: true,
    });
    const self = await call('GET', 'auth/token/lookup-self', { token: login.body!.auth.client_token });
    expect(self.body!.data).toMatchObject({ path: 'auth/approle/login', renewable: true, meta: { role_name: 'ci' }, type: 'service' });
    expect(self.body!.data.ttl).toBeGreaterThanOrEqual(19);
  });

  it('counts secret_id_num_uses and refuses a used-up, unknown or missing secret_id as Vault does (400)', async () => {
    const secretId = (await call('POST', 'auth/approle/role/ci/secret-id')).body!.data.secret_id;
    const login = () => call('POST', 'auth/approle/login', { token: null, body: { role_id: roleId, secret_id: secretId } });
    expect((await login()).status).toBe(200);
    expect((await login()).status).toBe(200);
    expect(await login()).toEqual({ status: 400, body: { errors: ['invalid role or secret ID'] } });
    expect(await call('POST', 'auth/approle/login', { token: null, body: { role_id: roleId, secret_id: 'wrong' } })).toEqual({
      status: 400,
      body: { errors: ['invalid role or secret ID'] },
    });
    expect(await call('POST', 'auth/approle/login', { token: null, body: { role_id: 'unknown', secret_id: secretId } })).toEqual({
      status: 400,
      body: { errors: ['invalid role or secret ID'] },
    });
    expect((await call('POST', 'auth/approle/login', { token: null, body: { role_id: roleId } })).body).toEqual({ errors: ['missing secret_id'] });
    expect((await call('POST', 'auth/approle/login', { token: null, body: {} })).body).toEqual({ errors: ['missing role_id'] });
  });

  it('takes a custom secret_id, and keeps role management behind the token and its policy', async () => {
    expect((await call('POST', 'auth/approle/role/ci/custom-secret-id', { body: { secret_id: 'chosen-secret' } })).body!.data.secret_id).toBe('chosen-secret');
    expect((await call('POST', 'auth/approle/login', { token: null, body: { role_id: roleId, secret_id: 'chosen-secret' } })).status).toBe(200);
    expect(await call('GET', 'auth/approle/role/ci/role-id', { token: null })).toEqual({ status: 403, body: { errors: ['permission denied'] } });
    const limited = vault.createToken({ policies: [] });
    expect((await call('POST', 'auth/approle/role/ci/secret-id', { token: limited })).status).toBe(403);
  });
});

describe('in-repo Vault server: token renewal', () => {
  let roleId: string;
  const login = async (role: string) => {
    const secretId = (await call('POST', `auth/renewals/role/${role}/secret-id`)).body!.data.secret_id;
    return (await call('POST', 'auth/renewals/login', { token: null, body: { role_id: roleId, secret_id: secretId } })).body!.auth;
  };

  beforeAll(async () => {
    await call('POST', 'sys/auth/renewals', { body: { type: 'approle' } });
    await call('POST', 'auth/renewals/role/short', { body: { token_ttl: 10, token_max_ttl: 15 } });
    await call('POST', 'auth/renewals/role/batch', { body: { token_ttl: 10, token_type: 'batch' } });
    roleId = (await call('GET', 'auth/renewals/role/short/role-id')).body!.data.role_id;
  });

  it("renews with the role's TTL, caps at the max TTL with Vault's warning, and lets the token die at it", async () => {
    const auth = await login('short');
    // Right after the login, the role's 10 s fit within the max TTL of 15 s; an hour does not.
    const renewed = await call('POST', 'auth/token/renew-self', { token: auth.client_token });
    expect(renewed.status).toBe(200);
    expect(renewed.body!.auth).toMatchObject({ client_token: auth.client_token, lease_duration: 10, renewable: true });
    const capped = await call('POST', 'auth/token/renew-self', { token: auth.client_token, body: { increment: '1h' } });
    expect(capped.body!.auth.lease_duration).toBeLessThanOrEqual(15);
    expect(capped.body!.warnings[0]).toMatch(/^TTL of "3600s" exceeded the effective max_ttl of "1[45]s"; TTL value is capped accordingly$/);
    vault.expireToken(auth.client_token);
    expect(await call('POST', 'auth/token/renew-self', { token: auth.client_token })).toEqual({ status: 403, body: { errors: ['permission denied'] } });
  });

  it('refuses to renew a batch token or a token without a TTL: "lease is not renewable"', async () => {
    const batchRole = (await call('GET', 'auth/renewals/role/batch/role-id')).body!.data.role_id;
    const secretId = (await call('POST', 'auth/renewals/role/batch/secret-id')).body!.data.secret_id;
    const batch = (await call('POST', 'auth/renewals/login', { token: null, body: { role_id: batchRole, secret_id: secretId } })).body!.auth;
    expect(batch).toMatchObject({ client_token: expect.stringMatching(/^hvb\./), renewable: false, token_type: 'batch' });
    expect(await call('POST', 'auth/token/renew-self', { token: batch.client_token })).toEqual({ status: 400, body: { errors: ['lease is not renewable'] } });
    expect((await call('POST', 'auth/token/renew-self')).body).toEqual({ errors: ['lease is not renewable'] });
  });
});

describe('in-repo Vault server: JWT', () => {
  beforeAll(async () => {
    await call('POST', 'sys/auth/jwt', { body: { type: 'jwt' } });
    expect(
      (await call('POST', 'auth/jwt/config', { body: { jwt_validation_pubkeys: [pem(ec.publicKey), pem(rsa.publicKey)], bound_issuer: 'https://ci.example' } }))
        .status,
    ).toBe(204);
    const role = await call('POST', 'auth/jwt/role/deploy', {
      body: { role_type: 'jwt', bound_audiences: ['https://vault.example'], user_claim: 'sub', token_ttl: '1m', token_policies: ['kv-rw'] },
    });
    expect(role.status).toBe(204);
    await call('POST', 'auth/jwt/role/browser', { body: { user_claim: 'sub', allowed_redirect_uris: ['http://localhost'] } });
  });

  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: 'https://ci.example',
    sub: 'repo:acme/app:ref:refs/heads/main',
    aud: 'https://vault.example',
    iat: nowSeconds(),
    exp: nowSeconds() + 300,
    ...extra,
  });
  const login = (jwt: string, role = 'deploy') => call('POST', 'auth/jwt/login', { token: null, body: { role, jwt } });

  it('logs in with an ES256 or an RS256 JWT signed by a configured key', async () => {
    for (const jwt of [signJwt(claims(), ec.privateKey, 'ES256'), signJwt(claims(), rsa.privateKey, 'RS256')]) {
      const answer = await login(jwt);
      expect(answer.status).toBe(200);
      expect(answer.body!.auth).toMatchObject({ lease_duration: 60, renewable: true, policies: ['default', 'kv-rw'], metadata: { role: 'deploy' } });
    }
  });

  it.each([
    [
      'a wrong audience',
      () => signJwt(claims({ aud: 'https://other.example' }), ec.privateKey),
      'error validating claims: aud claim does not match any bound audience',
    ],
    [
      'an expired token',
      () => signJwt(claims({ iat: nowSeconds() - 3600, exp: nowSeconds() - 1800 }), ec.privateKey),
      'error validating claims: go-jose/go-jose/jwt: validation failed, token is expired (exp)',
    ],
    [
      'another issuer',
      () => signJwt(claims({ iss: 'https://evil.example' }), ec.privateKey),
      'error validating claims: go-jose/go-jose/jwt: validation failed, invalid issuer claim (iss)',
    ],
    ['an unknown key', () => signJwt(claims(), stranger.privateKey), 'no known key successfully validated the token signature'],
    ['a token that is not a JWS', () => 'not-a-jwt', 'error parsing token: go-jose/go-jose: compact JWS format must have three parts'],
    [
      'no time claims',
      () => signJwt(claims({ iat: undefined, exp: undefined }), ec.privateKey),
      'no issue time, notbefore, or expiration time encoded in token',
    ],
  ])("refuses %s with 400 and the plugin's words", async (_what, jwt, message) => {
    expect(await login(jwt())).toEqual({ status: 400, body: { errors: [message] } });
  });

  it('refuses an unknown role, an oidc role, and a missing JWT', async () => {
    const jwt = signJwt(claims(), ec.privateKey);
    expect((await login(jwt, 'nobody')).body).toEqual({ errors: ['role "nobody" could not be found'] });
    expect((await login(jwt, 'browser')).body).toEqual({ errors: ['role with oidc role_type is not allowed'] });
    expect((await call('POST', 'auth/jwt/login', { token: null, body: { role: 'deploy' } })).body).toEqual({ errors: ['missing token'] });
  });
});

describe('in-repo Vault server: Kubernetes', () => {
  const serviceAccountToken = (namespace: string, name: string, key = ec.privateKey) =>
    signJwt(
      {
        aud: ['https://kubernetes.default.svc'],
        exp: nowSeconds() + 3600,
        iat: nowSeconds(),
        iss: 'https://kubernetes.default.svc',
        'kubernetes.io': { namespace, pod: { name: 'app-0', uid: 'p-1' }, serviceaccount: { name, uid: 'sa-1' } },
        sub: `system:serviceaccount:${namespace}:${name}`,
      },
      key,
    );

  beforeAll(async () => {
    await call('POST', 'sys/auth/kubernetes', { body: { type: 'kubernetes' } });
    await call('POST', 'auth/kubernetes/config', { body: { kubernetes_host: 'https://kubernetes.default.svc', pem_keys: [pem(ec.publicKey)] } });
    await call('POST', 'auth/kubernetes/role/mcp', {
      body: { bound_service_account_names: 'mcp-cli', bound_service_account_namespaces: 'tools', token_ttl: 120 },
    });
  });

  it("logs in with a projected service account token, and refuses other accounts and keys with 403 and the plugin's words", async () => {
    const login = (jwt: string) => call('POST', 'auth/kubernetes/login', { token: null, body: { role: 'mcp', jwt } });
    const ok = await login(serviceAccountToken('tools', 'mcp-cli'));
    expect(ok.body!.auth).toMatchObject({
      lease_duration: 120,
      metadata: { service_account_name: 'mcp-cli', service_account_namespace: 'tools', role: 'mcp' },
    });
    expect(await login(serviceAccountToken('tools', 'other'))).toEqual({ status: 403, body: { errors: ['service account name not authorized'] } });
    expect(await login(serviceAccountToken('default', 'mcp-cli'))).toEqual({ status: 403, body: { errors: ['namespace not authorized'] } });
    expect(await login(serviceAccountToken('tools', 'mcp-cli', stranger.privateKey))).toEqual({ status: 403, body: { errors: ['permission denied'] } });
    expect((await call('POST', 'auth/kubernetes/login', { token: null, body: { role: 'nope', jwt: 'x' } })).body).toEqual({
      errors: ['invalid role name "nope"'],
    });
  });
});
