import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenStorageFrom } from '../../src/config/token-storage.js';
import { refuseMovedByClient } from '../../src/stores/vault/client-environment.js';
import { resolveConnection } from '../../src/stores/vault/connection.js';

const from = (vault: unknown) => tokenStorageFrom({ tokenStorage: { vault } }, 'server_config.json');

describe('tokenStorage.vault', () => {
  it('accepts every documented setting and normalizes paths', () => {
    expect(
      from({
        address: 'https://vault.example.com:8200',
        mount: '/kv/',
        pathPrefix: 'teams/mcp/',
        namespace: 'eng',
        kvVersion: 2,
        caCert: '~/ca.pem',
        tlsVerify: true,
      }).vault,
    ).toEqual({
      address: 'https://vault.example.com:8200',
      mount: 'kv',
      pathPrefix: 'teams/mcp',
      namespace: 'eng',
      kvVersion: 2,
      caCert: '~/ca.pem',
      tlsVerify: true,
    });
    expect(from({ kvVersion: '1' }).vault).toEqual({ kvVersion: 1 });
    expect(from({ kvVersion: 'auto' }).vault).toEqual({ kvVersion: 'auto' });
  });

  it.each([
    [{ adress: 'x' }, 'server_config.json: tokenStorage.vault.adress: unknown setting'],
    [{ address: 'vault.example.com' }, 'server_config.json: tokenStorage.vault.address: "vault.example.com" is not an http:// or https:// URL'],
    [{ mount: '' }, 'server_config.json: tokenStorage.vault.mount: expected a non-empty string'],
    [{ pathPrefix: 'a/../b' }, 'server_config.json: tokenStorage.vault.pathPrefix: "a/../b" is not a valid Vault path'],
    [{ kvVersion: 3 }, 'server_config.json: tokenStorage.vault.kvVersion: expected "auto", 1 or 2'],
    [{ tlsVerify: 'no' }, 'server_config.json: tokenStorage.vault.tlsVerify: expected true or false'],
    ['secret', 'server_config.json: tokenStorage.vault: expected an object'],
  ])('rejects %j', (vault, message) => {
    expect(() => from(vault)).toThrow(message);
  });
});

describe('tokenStorage.vault.auth', () => {
  it("takes each method with its own settings; file paths are taken from the config file's directory", () => {
    const storage = (auth: unknown) => tokenStorageFrom({ tokenStorage: { vault: { auth } } }, '/home/me/.config/mcp-cli/server_config.json').vault!.auth;
    expect(storage({ method: 'token' })).toEqual({ method: 'token' });
    expect(storage({ method: 'approle', roleId: 'r-1', secretIdFile: 'secret-id', tokenFile: '~/.cache/vault-token', mount: '/ci-approle/' })).toEqual({
      method: 'approle',
      roleId: 'r-1',
      secretIdFile: '/home/me/.config/mcp-cli/secret-id',
      tokenFile: '~/.cache/vault-token',
      mount: 'ci-approle',
    });
    expect(storage({ method: 'jwt', jwtFile: '/run/oidc.jwt', role: 'deploy' })).toEqual({ method: 'jwt', jwtFile: '/run/oidc.jwt', role: 'deploy' });
    expect(storage({ method: 'kubernetes', role: 'mcp' })).toEqual({ method: 'kubernetes', role: 'mcp' });
  });

  it.each([
    [{}, 'server_config.json: tokenStorage.vault.auth.method: expected one of token, approle, jwt, kubernetes'],
    [{ method: 'ldap' }, 'server_config.json: tokenStorage.vault.auth.method: expected one of token, approle, jwt, kubernetes'],
    [{ method: 'approle' }, "server_config.json: tokenStorage.vault.auth.roleId: the approle method needs the role's role_id"],
    [
      { method: 'approle', roleId: 'r', secretId: 'x' },
      'server_config.json: tokenStorage.vault.auth.secretId: not a setting of the approle method: secrets are never settings',
    ],
    [
      { method: 'jwt', jwtFile: 'f', jwt: 'eyJ' },
      'server_config.json: tokenStorage.vault.auth.jwt: not a setting of the jwt method: secrets are never settings',
    ],
    [{ method: 'jwt', role: 'r' }, 'server_config.json: tokenStorage.vault.auth.jwtFile: the jwt method needs the file that holds the JWT'],
    [{ method: 'token', roleId: 'r' }, 'server_config.json: tokenStorage.vault.auth.roleId: not a setting of the token method'],
    [{ method: 'kubernetes', role: 7 }, 'server_config.json: tokenStorage.vault.auth.role: expected a non-empty string'],
    [{ method: 'approle', roleId: 'r', mount: 'a/../b' }, 'server_config.json: tokenStorage.vault.auth.mount: "a/../b" is not a valid Vault path'],
    ['approle', 'server_config.json: tokenStorage.vault.auth: expected an object'],
  ])('rejects %j', (auth, message) => {
    expect(() => from({ auth })).toThrow(message);
  });
});

describe("resolving the connection as Vault's CLI does", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-cli-vault-conn-'));
    await writeFile(join(dir, 'a.pem'), '-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n');
    await writeFile(join(dir, 'notes.txt'), 'not a certificate');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the settings, with the VAULT_* variables winning over them', async () => {
    const settings = { address: 'https://from-config:8200', namespace: 'config-ns', mount: 'kv', tlsVerify: false };
    expect(await resolveConnection(settings, {})).toMatchObject({
      address: 'https://from-config:8200',
      namespace: 'config-ns',
      mount: 'kv',
      pathPrefix: 'mcp-cli',
      kvVersion: 'auto',
      tls: { verify: false },
    });
    expect(await resolveConnection(settings, { VAULT_ADDR: 'http://from-env:8200/', VAULT_NAMESPACE: 'env-ns/', VAULT_SKIP_VERIFY: 'false' })).toMatchObject({
      address: 'http://from-env:8200',
      namespace: 'env-ns',
      tls: { verify: true },
    });
    expect((await resolveConnection({}, {})).address).toBe('https://127.0.0.1:8200');
  });

  it('reads CA certificates from VAULT_CAPATH, and prefers VAULT_CACERT', async () => {
    expect((await resolveConnection({}, { VAULT_CAPATH: dir })).tls.ca).toHaveLength(1);
    expect((await resolveConnection({}, { VAULT_CAPATH: dir, VAULT_CACERT: join(dir, 'notes.txt') })).tls.ca?.[0]?.toString()).toBe('not a certificate');
  });

  it.each([
    [{ VAULT_CACERT: '/nonexistent/ca.pem' }, 'cannot read the CA certificate /nonexistent/ca.pem (from VAULT_CACERT): no such file or directory'],
    [{ VAULT_CLIENT_CERT: '/x/cert.pem' }, 'a TLS client certificate needs both a certificate and a key'],
    [{ VAULT_SKIP_VERIFY: 'yes' }, 'VAULT_SKIP_VERIFY="yes" is not a boolean'],
    [{ VAULT_ADDR: 'vault:8200' }, 'VAULT_ADDR="vault:8200" is not an http:// or https:// URL'],
  ])('explains %j', async (env, message) => {
    await expect(resolveConnection({}, env)).rejects.toThrow(message);
  });
});

describe('the VAULT_* variables in a process an MCP client starts (mcp-cli run)', () => {
  const home = '/home/alice';
  const check = (settings: object, env: Record<string, string>) => () => refuseMovedByClient(settings, env, home);

  it('count where they agree with the settings: the same address in another spelling, the same CA file, verification left on', () => {
    expect(check({ address: 'https://vault.example.com:8200' }, { VAULT_ADDR: 'HTTPS://Vault.Example.com:8200/' })).not.toThrow();
    expect(check({}, { VAULT_ADDR: 'https://127.0.0.1:8200' })).not.toThrow();
    expect(check({ caCert: '~/certs/ca.pem' }, { VAULT_CACERT: '/home/alice/certs/ca.pem' })).not.toThrow();
    expect(check({ caPath: '/etc/vault/cas' }, { VAULT_CAPATH: '/etc/vault/cas/' })).not.toThrow();
    expect(check({}, { VAULT_SKIP_VERIFY: 'false' })).not.toThrow();
    expect(check({ tlsVerify: false }, { VAULT_SKIP_VERIFY: 'true' })).not.toThrow();
    expect(check({}, { VAULT_NAMESPACE: 'eng', VAULT_CLIENT_CERT: '/x', VAULT_CLIENT_KEY: '/y', VAULT_TOKEN: 'hvs.x' })).not.toThrow();
  });

  it('are refused, naming the variable and the setting, where they differ', () => {
    expect(check({}, { VAULT_ADDR: 'https://vault.example.com' })).toThrow(
      /^VAULT_ADDR names the Vault at https:\/\/vault\.example\.com, which no config you trust names \(tokenStorage\.vault\.address\): in a process that an MCP client starts/,
    );
    expect(check({ address: 'https://vault.example.com' }, { VAULT_ADDR: 'https://vault.example.com.evil.test' })).toThrow(/^VAULT_ADDR names/);
    expect(check({}, { VAULT_SKIP_VERIFY: '1' })).toThrow(/^VAULT_SKIP_VERIFY turns off TLS verification of Vault, which no config you trust does/);
    expect(check({ caCert: '/etc/ca.pem' }, { VAULT_CACERT: '/repo/ca.pem' })).toThrow(/^VAULT_CACERT names \/repo\/ca\.pem as the CA of Vault/);
    expect(check({ caCert: '/etc/ca.pem' }, { VAULT_CAPATH: '/repo' })).toThrow(/^VAULT_CAPATH names \/repo as the CAs of Vault/);
    // A control character in the variable is shown escaped.
    expect(check({}, { VAULT_ADDR: 'https://x\u001b[2J' })).toThrow('VAULT_ADDR names the Vault at https://x\\u001b[2J,');
  });
});

describe('token metadata in custom_metadata', () => {
  it("fits Vault's limits: empty values left out, long values split and joined again", async () => {
    const { encodeMetadata, decodeMetadata } = await import('../../src/stores/vault/metadata.js');
    const scope = Array.from({ length: 60 }, (_, i) => `https://www.example.com/auth/scope-number-${i}`).join(' ');
    const metadata = {
      name: 'n',
      namespace: 'oauth',
      type: 'oauth' as const,
      createdAt: 'c',
      updatedAt: 'u',
      details: { scope, empty: '', issuer: 'https://issuer' },
    };
    const record = encodeMetadata(metadata, { version: '3' });
    expect(Object.values(record).every((v) => v.length > 0 && v.length <= 512)).toBe(true);
    expect(record['detail.scope~2']).toBeDefined();
    expect(decodeMetadata({ namespace: 'oauth', name: 'n' }, record)).toEqual({ ...metadata, details: { scope, issuer: 'https://issuer' } });
    expect(decodeMetadata({ namespace: 'oauth', name: 'n' }, { ...record, 'managed-by': 'someone-else' })).toBeUndefined();
  });
});
