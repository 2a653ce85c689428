// The client credentials grant (MCP oauth-client-credentials extension) against a real authorization
// server on 127.0.0.1: a client secret (client_secret_basic), and private_key_jwt (RFC 7523) signed
// with RS256 and ES256 for the issuer or the token endpoint as audience, each assertion verified by
// the server with node:crypto. No browser, no user: tokens come and are renewed by themselves. The
// secret, the key and the assertions never show in output, files or the audit log.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, filesContaining, filesWithSentinel, sandboxTokenStore } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { connectThroughRun, procView } from '../helpers/run-client.js';

const SECRET = `${SENTINEL}-CS-7f3a9c`;
const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
/** A line from the middle of each private key: enough to find one that leaked. */
const keyLines = [rsa, ec].map((pair) => pem(pair.privateKey).split('\n')[3]!);

const CC = 'client_credentials';

describe('client credentials', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const outputs: string[] = [];
  const run = async (args: string[], input?: string) => {
    const result = await sandbox.run(args, input !== undefined ? { input } : {});
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const grants = () => servers.requests.filter((r) => r.path === '/token' && (JSON.parse(r.body) as { grant_type?: string }).grant_type === CC);

  beforeAll(async () => {
    servers = await startOAuthServers({ clientCredentials: true });
    const register = servers.provider.clientsStore.registerClient!.bind(servers.provider.clientsStore);
    const base = { redirect_uris: [], grant_types: [CC], scope: 'mcp:tools' };
    await register({ ...base, client_id: 'ci-secret', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' });
    await register({
      ...base,
      client_id: 'ci-rsa',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'k-rsa' }] },
    });
    await register({
      ...base,
      client_id: 'ci-ec',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'k-ec' }] },
    });
    const oauth = (extra: object) => ({ url: servers.mcpUrl, oauth: { grant: CC, issuer: servers.issuer, ...extra } });
    sandbox = await createOAuthSandbox({
      secret: oauth({ clientId: 'ci-secret', clientSecret: '${TOKEN:generic:ci-secret}' }),
      wrong: oauth({ clientId: 'ci-secret', clientSecret: '${TOKEN:generic:ci-wrong}' }),
      rsa: oauth({ clientId: 'ci-rsa', privateKey: '${TOKEN:generic:ci-rsa-key}', keyId: 'k-rsa' }),
      ec: oauth({ clientId: 'ci-ec', privateKey: '${TOKEN:generic:ci-ec-key}', keyId: 'k-ec', assertionAudience: 'token_endpoint' }),
    });
    for (const [name, value] of [
      ['ci-secret', SECRET],
      ['ci-wrong', `${SENTINEL}-CS-wrong`],
      ['ci-rsa-key', pem(rsa.privateKey)],
      ['ci-ec-key', pem(ec.privateKey)],
    ] as const)
      expect((await run(['token', 'set', name, '--type', 'generic', '--value', '-'], value)).code).toBe(0);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('with a secret: the first call gets a token by itself, with the secret in the Basic header only', async () => {
    const call = await run(['call', 'secret', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout.trim()).toBe('hello ci-secret');
    const [grant] = grants();
    expect(grant!.authorization).toBe(`Basic ${Buffer.from(`ci-secret:${SECRET}`).toString('base64')}`);
    expect(JSON.parse(grant!.body)).toEqual({ grant_type: CC, scope: 'mcp:tools', resource: servers.mcpUrl });
    expect(servers.counters.authorize).toBe(0);
    expect(servers.counters.register).toBe(0);
    const status = JSON.parse((await run(['auth', 'status', 'secret', '--json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ grant: CC, clientId: 'ci-secret', clientRegistration: 'configured', canRefresh: true, scopes: ['mcp:tools'] });
    const text = await run(['auth', 'status', 'secret']);
    expect(text.stdout).toContain('Grant:     client credentials (the client on its own behalf)');
    expect(text.stdout).toContain('Refresh:   yes (a new client credentials grant when it expires)');
  });

  it('renews by itself: an expired token is replaced before the request, a rejected one after the 401', async () => {
    const before = grants().length;
    const store = await sandboxTokenStore(sandbox);
    const token = (await store.get({ namespace: 'oauth', name: 'secret' }))!;
    await store.put({ ...token, metadata: { ...token.metadata, expiresAt: new Date(Date.now() - 1000).toISOString() } });
    expect((await run(['call', 'secret', 'whoami'])).code).toBe(0);
    expect(grants().length - before).toBe(1);
    servers.provider.expireAccessTokens();
    const after401 = await run(['call', 'secret', 'whoami']);
    expect(after401.code, after401.stderr).toBe(0);
    expect(grants().length - before).toBe(2);
    const rotate = await run(['token', 'rotate', 'secret', '--oauth']);
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(grants().length - before).toBe(3);
    expect(servers.counters.authorize).toBe(0);
  });

  it.each([
    ['rsa', 'ci-rsa', 'RS256', 'k-rsa', 'issuer'],
    ['ec', 'ci-ec', 'ES256', 'k-ec', 'token endpoint'],
  ] as const)('private_key_jwt (%s): client %s, a %s assertion with kid %s, audience the %s', async (name, clientId, alg, kid, audience) => {
    const before = servers.assertions.length;
    const login = await run(['auth', 'login', name]);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain(`✓ Logged in to '${name}' as its own client (client credentials)`);
    const [accepted] = servers.assertions.slice(before);
    expect(accepted!.header).toEqual({ alg, typ: 'JWT', kid });
    expect(accepted!.claims).toMatchObject({ iss: clientId, sub: clientId, aud: audience === 'issuer' ? servers.issuer : `${servers.origin}/token` });
    const grant = grants().at(-1)!;
    expect(grant.authorization).toBeUndefined();
    expect(JSON.parse(grant.body)).toMatchObject({ grant_type: CC, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' });
    const call = await run(['call', name, 'whoami']);
    expect(call.stdout.trim()).toBe(`hello ${clientId}`);
    // Renewal signs a new assertion (a new jti: the server refuses a replayed one).
    servers.provider.expireAccessTokens();
    expect((await run(['call', name, 'whoami'])).code).toBe(0);
    expect(servers.assertions.length - before).toBe(2);
  });

  it('mcp-cli run on a machine without a browser: the bridge gets and renews its token itself', async () => {
    await run(['auth', 'logout', 'secret', '--local-only']);
    const before = grants().length;
    const bridge = await connectThroughRun(sandbox, 'secret', { env: { BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined } });
    try {
      expect((await bridge.client.callTool({ name: 'whoami', arguments: {} })).content).toEqual([{ type: 'text', text: 'hello ci-secret' }]);
      servers.provider.expireAccessTokens();
      expect((await bridge.client.callTool({ name: 'whoami', arguments: {} })).content).toEqual([{ type: 'text', text: 'hello ci-secret' }]);
      expect(grants().length - before).toBe(2);
      const { cmdline, environ } = procView(bridge.pid);
      expect(cmdline + environ).not.toContain(SECRET);
    } finally {
      await bridge.close();
    }
    outputs.push(bridge.stderr());
    expect(servers.counters.authorize).toBe(0);
  });

  it("a repository's unapproved config naming a client credentials client: nothing is read or sent", async () => {
    const repo = join(sandbox.home, 'repo');
    await mkdir(repo, { recursive: true });
    await writeFile(
      join(repo, 'server_config.json'),
      JSON.stringify({
        mcpServers: { elsewhere: { url: servers.mcpUrl, oauth: { grant: CC, clientId: 'ci-secret', clientSecret: '${TOKEN:generic:ci-secret}' } } },
      }),
    );
    const start = servers.requests.length;
    for (const args of [
      ['call', 'elsewhere', 'whoami'],
      ['auth', 'login', 'elsewhere'],
    ]) {
      const result = await sandbox.run(args, { cwd: repo });
      outputs.push(result.stdout, result.stderr);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain('config trust');
    }
    expect(servers.requests.slice(start)).toEqual([]);
  });

  it('a refused secret: exit 4 naming the settings to check, without the secret', async () => {
    const result = await run(['auth', 'login', 'wrong']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`refused the client credentials grant of 'wrong': invalid_client`);
    expect(result.stderr).toContain(`hint: check oauth.clientId and oauth.clientSecret of 'wrong'`);
  });

  it('never shows the secret, a key, an assertion or a token: outputs, files, audit log', async () => {
    const assertions = servers.requests.map((r) => (JSON.parse(r.body) as { client_assertion?: string }).client_assertion).filter(Boolean) as string[];
    expect(assertions.length).toBeGreaterThan(0);
    const audit = await run(['token', 'audit', '--json']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toContain('client_credentials');
    for (const text of outputs) {
      expect(text).not.toContain(`${SENTINEL}-`);
      for (const line of keyLines) expect(text).not.toContain(line);
      for (const a of assertions) expect(text).not.toContain(a.split('.')[2]!);
    }
    expect(await filesWithSentinel(sandbox.home)).toEqual([]);
    expect(await filesContaining(sandbox.home, [...keyLines, ...assertions.map((a) => a.split('.')[2]!)])).toEqual([]);
  });
});
