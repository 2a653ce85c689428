// "resource": false, for authorization servers that refuse RFC 8707 resource indicators (Entra ID's
// AADSTS9010010): the test server answers invalid_target to any request that carries one, and every
// request it received is checked for the parameter, in the query and in the body: authorization,
// code exchange, refresh, device authorization and polling, client credentials, revocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox } from '../helpers/oauth-cli.js';
import { requestsWithResource, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

const HEADLESS = { BROWSER: undefined, MCP_CLI_BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };

describe('"resource": false', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  beforeAll(async () => {
    servers = await startOAuthServers({ refuseResource: true, device: { interval: 1 }, clientCredentials: true });
    await servers.provider.clientsStore.registerClient!({
      client_id: 'ci',
      client_secret: 'ci-secret-value',
      redirect_uris: [],
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    sandbox = await createOAuthSandbox({
      code: { url: servers.mcpUrl, oauth: { resource: false } },
      device: { url: servers.mcpUrl, oauth: { resource: false } },
      machine: {
        url: servers.mcpUrl,
        oauth: { grant: 'client_credentials', clientId: 'ci', clientSecret: '${TOKEN:generic:ci}', issuer: servers.issuer, resource: false },
      },
      bound: { url: servers.mcpUrl },
    });
    expect((await sandbox.run(['token', 'set', 'ci', '--type', 'generic', '--value', '-'], { input: 'ci-secret-value' })).code).toBe(0);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('a browser login, a call, a refresh and a logout send no resource parameter', async () => {
    const login = await sandbox.run(['auth', 'login', 'code']);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain(`! No resource indicator was sent ("resource": false): these tokens are not bound to 'code' by their audience`);
    expect((await sandbox.run(['call', 'code', 'whoami'])).code).toBe(0);
    const rotate = await sandbox.run(['token', 'rotate', 'code', '--oauth']);
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(servers.counters.refreshGrant).toBe(1);
    const logout = await sandbox.run(['auth', 'logout', 'code']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('✓ Revoked the tokens at');
    expect(servers.counters.revoke).toBeGreaterThan(0);
    expect(servers.requests.filter((r) => r.path === '/authorize')).toHaveLength(1);
    expect(requestsWithResource(servers.requests)).toEqual([]);
  });

  it('a device login sends none, in the device authorization request or the polls', async () => {
    const login = sandbox.run(['auth', 'login', 'device', '--device'], { env: HEADLESS });
    await expect.poll(() => servers.devices.length, { timeout: 20_000 }).toBe(1);
    await fetch(`${servers.origin}/device?user_code=${encodeURIComponent(servers.devices[0]!.userCode)}`);
    const result = await login;
    expect(result.code, result.stderr).toBe(0);
    expect(servers.requests.filter((r) => r.path === '/device_authorization')).toHaveLength(1);
    expect(requestsWithResource(servers.requests)).toEqual([]);
  });

  it('a client credentials grant sends none', async () => {
    const call = await sandbox.run(['call', 'machine', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout.trim()).toBe('hello ci');
    expect(requestsWithResource(servers.requests)).toEqual([]);
  });

  it('auth status notes that the tokens are not audience-bound', async () => {
    const one = JSON.parse((await sandbox.run(['auth', 'status', 'device', '--json'])).stdout) as Record<string, unknown>;
    expect(one).toMatchObject({ resource: null, audienceBound: false, grant: 'device_code' });
    const text = await sandbox.run(['auth', 'status', 'machine']);
    expect(text.stdout).toContain('Audience:  not audience-bound: no resource indicator was sent ("resource": false), so the tokens name no server');
    const all = await sandbox.run(['auth', 'status']);
    expect(all.code).toBe(0);
    expect(all.stderr).toContain(`! Not audience-bound (no resource indicator was sent, "resource": false): 'device', 'machine'`);
  });

  it('without it, this server refuses the login: the resource parameter is what it objects to', async () => {
    const before = servers.requests.length;
    const result = await sandbox.run(['auth', 'login', 'bound']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the authorization server refused the login: invalid_target (AADSTS9010010');
    expect(result.stderr).toContain(
      `hint: if this authorization server does not accept RFC 8707 resource indicators (Entra ID: AADSTS9010010), set "resource": false in the oauth block of 'bound'`,
    );
    expect(requestsWithResource(servers.requests.slice(before)).length).toBeGreaterThan(0);
    const status = JSON.parse((await sandbox.run(['auth', 'status', 'bound', '--json'])).stdout || '{}') as Record<string, unknown>;
    expect(status.audienceBound).toBeUndefined();
  });
});
