// HTTPS_PROXY / HTTP_PROXY / NO_PROXY through the built CLI: a real forwarding proxy on 127.0.0.1
// that records every host and port it carried, real MCP servers (streamable HTTP and SSE, plain and
// behind TLS with a CA of their own), Vault, and `token validate`. The proxy's password is a sentinel.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, writeOwnConfig, type CliResult, type Sandbox } from '../helpers/cli.js';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.js';
import { createOAuthSandbox } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { startTestMcpHttpServer, type TestMcpHttpServer } from '../helpers/mcp-servers.js';
import { connectThroughRun } from '../helpers/run-client.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls.js';
import { startTlsFront, type TlsFront } from '../helpers/tls-front.js';
import { startVaultServer, type VaultServer } from '../helpers/vault-server/server.js';

const BEARER = 'SENTINEL-proxy-bearer-4c1';
const PROXY_PASSWORD = 'SENTINEL-proxy-pw-93f';
const API_KEY = 'SENTINEL-proxy-apikey-d07';

/** OpenAI's model list as `token validate` asks it: 200 for API_KEY, 401 otherwise. */
async function startModelList(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) =>
    res.writeHead(req.headers.authorization === `Bearer ${API_KEY}` ? 200 : 401, { 'content-type': 'application/json' }).end('{"object":"list","data":[]}'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('requests through a corporate proxy', () => {
  let sandbox: Sandbox;
  let proxy: ForwardProxy;
  let open: TestMcpHttpServer;
  let sse: TestMcpHttpServer;
  let guarded: TestMcpHttpServer;
  let certs: TestCertificates;
  let front: TlsFront;
  let models: Awaited<ReturnType<typeof startModelList>>;
  let modelsFront: TlsFront;
  let vault: VaultServer;
  let plainVault: VaultServer;
  const outputs: string[] = [];
  const portOf = (url: string) => Number(new URL(url).port);
  const carried = (url: string) => proxy.seen.filter((s) => s.host === '127.0.0.1' && s.port === portOf(url));
  const spawn = async (args: string[], env: Record<string, string | undefined>, input?: string): Promise<CliResult> => {
    const r = await sandbox.spawn(args, { env, ...(input !== undefined ? { input } : {}) });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const viaProxy = (extra: Record<string, string> = {}) => ({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: certs.caPath, ...extra });

  beforeAll(async () => {
    proxy = await startForwardProxy({ user: 'alice', password: PROXY_PASSWORD });
    open = await startTestMcpHttpServer({ open: true });
    sse = await startTestMcpHttpServer({ open: true, transport: 'sse' });
    guarded = await startTestMcpHttpServer({ token: BEARER });
    certs = await makeTestCertificates();
    front = await startTlsFront(new URL(guarded.url).origin, { key: certs.serverKey, cert: certs.serverCert });
    models = await startModelList();
    modelsFront = await startTlsFront(models.origin, { key: certs.serverKey, cert: certs.serverCert });
    vault = await startVaultServer({ tls: { key: certs.serverKey, cert: certs.serverCert } });
    plainVault = await startVaultServer();
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'proxy-test-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
    const set = await sandbox.run(['token', 'set', 'corp', '--value', '-'], { input: BEARER });
    expect(set.code, set.stderr).toBe(0);
    const key = await sandbox.run(['token', 'set', 'models', '--type', 'api-key', '--provider', 'openai', '--value', '-'], { input: API_KEY });
    expect(key.code, key.stderr).toBe(0);
    await writeOwnConfig(sandbox.home, {
      mcpServers: {
        open: { url: open.url },
        legacy: { url: sse.url, transport: 'sse' },
        plain: { url: guarded.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:corp}' } },
        secure: { url: `${front.origin}/mcp`, headers: { Authorization: 'Bearer ${TOKEN:bearer:corp}' } },
      },
      tokenValidation: { providers: { openai: { baseUrl: `${modelsFront.origin}/v1` } } },
    });
  });
  afterAll(async () => {
    await Promise.all([proxy?.close(), open?.close(), sse?.close(), guarded?.close(), front?.close(), models?.close(), modelsFront?.close()]);
    await Promise.all([vault?.close(), plainVault?.close()]);
    await certs?.cleanup();
    await sandbox?.cleanup();
  });

  it('ping and call reach streamable HTTP and SSE servers through the proxy, which sees every connection', async () => {
    const ping = await spawn(['ping', 'open'], viaProxy());
    expect(ping.code, ping.stderr).toBe(0);
    expect(carried(open.url).length).toBeGreaterThan(0);
    const call = await spawn(['call', 'legacy', 'echo', '--args', '{"message":"through the proxy"}'], viaProxy());
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout).toContain('through the proxy');
    expect(carried(sse.url).length).toBeGreaterThan(0);
  });

  it('NO_PROXY lets a listed host go straight, as curl does: 127.0.0.1 only when listed', async () => {
    const before = proxy.seen.length;
    for (const noProxy of ['127.0.0.1', `localhost,127.0.0.1:${portOf(open.url)}`, '*']) {
      const r = await spawn(['ping', 'open'], viaProxy({ NO_PROXY: noProxy }));
      expect(r.code, r.stderr).toBe(0);
    }
    expect(proxy.seen.length).toBe(before);
    const unlisted = await spawn(['ping', 'open'], viaProxy({ no_proxy: 'localhost' }));
    expect(unlisted.code, unlisted.stderr).toBe(0);
    expect(proxy.seen.length).toBeGreaterThan(before);
  });

  it('a token goes to an https:// server with a CA of its own (NODE_EXTRA_CA_CERTS) through a tunnel the proxy cannot read', async () => {
    const r = await spawn(['call', 'secure', 'whoami'], viaProxy());
    expect(r.code, r.stderr).toBe(0);
    expect(guarded.authorizations).toContain(`Bearer ${BEARER}`);
    expect(carried(front.origin).every((s) => s.method === 'CONNECT' && s.authorization === undefined)).toBe(true);
    expect(carried(front.origin).length).toBeGreaterThan(0);
    const untrusted = await spawn(['ping', 'secure'], viaProxy({ NODE_EXTRA_CA_CERTS: '' }));
    expect(untrusted.code).not.toBe(0);
  });

  it('a token is never sent over plain HTTP through a proxy: refused with what to do, the server and the proxy never see it', async () => {
    const seenBefore = guarded.authorizations.length;
    const r = await spawn(['ping', 'plain'], viaProxy());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/refusing to send a credential to http:\/\/127\.0\.0\.1:\d+ over plain HTTP through the proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+/);
    expect(r.stderr).toContain('NO_PROXY');
    expect(guarded.authorizations.slice(seenBefore)).not.toContain(`Bearer ${BEARER}`);
    expect(proxy.seen.some((s) => s.authorization !== undefined)).toBe(false);
    const straight = await spawn(['ping', 'plain'], viaProxy({ NO_PROXY: '127.0.0.1' }));
    expect(straight.code, straight.stderr).toBe(0);
  });

  it("run's bridge, launched as an MCP client launches it with the proxy in its environment, sends the token through the tunnel", async () => {
    const before = carried(front.origin).length;
    const seenBefore = guarded.authorizations.length;
    const run = await connectThroughRun(sandbox, 'secure', { env: viaProxy() });
    try {
      const result = await run.client.callTool({ name: 'echo', arguments: { message: 'bridged' } });
      expect(JSON.stringify(result.content)).toContain('bridged');
    } finally {
      await run.close();
    }
    outputs.push(run.stderr());
    expect(carried(front.origin).length).toBeGreaterThan(before);
    expect(guarded.authorizations.slice(seenBefore)).toContain(`Bearer ${BEARER}`);
  });

  it('token validate reaches the provider and the MCP servers through the proxy', async () => {
    const key = await spawn(['token', 'validate', 'models'], viaProxy());
    expect(key.code, `${key.stdout}${key.stderr}`).toBe(0);
    expect(key.stdout).toMatch(/^passed\tapi-key\tmodels/);
    // Checked against both servers that use it: the https:// one through the tunnel, the plain-HTTP one refused.
    const bearer = await spawn(['token', 'validate', 'corp'], viaProxy());
    expect(bearer.stdout).toContain('server secure: accepted it');
    expect(bearer.stdout).toMatch(/server plain: error: refusing to send a credential to http:\/\/127\.0\.0\.1:\d+ over plain HTTP through the proxy/);
    expect(carried(modelsFront.origin).map((s) => s.method)).toContain('CONNECT');
  });

  it('Vault over https is reached through a tunnel; over plain HTTP it is refused unless NO_PROXY lists it', async () => {
    const backend = (server: VaultServer) => ({ MCP_CLI_TOKEN_BACKEND: 'vault', VAULT_ADDR: server.address, VAULT_TOKEN: server.rootToken });
    const set = await spawn(['token', 'set', 'in-vault', '--value', '-'], viaProxy(backend(vault)), 'vault-value');
    expect(set.code, set.stderr).toBe(0);
    const list = await spawn(['token', 'list'], viaProxy(backend(vault)));
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('in-vault');
    expect(carried(vault.address).length).toBeGreaterThan(0);
    expect(carried(vault.address).every((s) => s.method === 'CONNECT')).toBe(true);

    const refused = await spawn(['token', 'list'], viaProxy(backend(plainVault)));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/refusing to send credentials to http:\/\/127\.0\.0\.1:\d+ over plain HTTP through the proxy/);
    expect(carried(plainVault.address)).toEqual([]);
    const straight = await spawn(['token', 'list'], viaProxy({ ...backend(plainVault), NO_PROXY: '127.0.0.1' }));
    expect(straight.code, straight.stderr).toBe(0);
  });

  it('a proxy that refuses the credentials: a clear failure that never shows the password', async () => {
    const wrong = proxy.url.replace(PROXY_PASSWORD, `${PROXY_PASSWORD}-wrong`);
    const refusedBefore = proxy.refused;
    const r = await spawn(['ping', 'open'], { HTTP_PROXY: wrong, HTTPS_PROXY: wrong });
    expect(r.code).not.toBe(0);
    expect(proxy.refused).toBeGreaterThan(refusedBefore);
    expect(r.stderr).toMatch(/the proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+ refused to connect to 127\.0\.0\.1:\d+ \(HTTP 407\)/);
    expect(`${r.stdout}${r.stderr}`).not.toContain(PROXY_PASSWORD);
  });

  it('the proxy password appears in no output and not in the audit log', async () => {
    const audit = await readFile(join(sandbox.env.XDG_STATE_HOME!, 'mcp-cli', 'audit.log'), 'utf8');
    expect(audit).toContain('in-vault');
    for (const text of [...outputs, audit]) {
      expect(text).not.toContain(PROXY_PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PROXY_PASSWORD));
    }
  });
});

describe('OAuth endpoints through a proxy', () => {
  const SECRET = `${SENTINEL}-proxy-cs-2b8`;
  let proxy: ForwardProxy;
  let servers: OAuthServers;
  let sandbox: Sandbox;

  beforeAll(async () => {
    proxy = await startForwardProxy();
    servers = await startOAuthServers({ clientCredentials: true });
    await servers.provider.clientsStore.registerClient!({
      redirect_uris: [],
      grant_types: ['client_credentials'],
      scope: 'mcp:tools',
      client_id: 'ci-proxy',
      client_secret: SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    sandbox = await createOAuthSandbox({
      machine: {
        url: servers.mcpUrl,
        oauth: { grant: 'client_credentials', issuer: servers.issuer, clientId: 'ci-proxy', clientSecret: '${TOKEN:generic:ci-proxy}' },
      },
    });
    expect((await sandbox.run(['token', 'set', 'ci-proxy', '--type', 'generic', '--value', '-'], { input: SECRET })).code).toBe(0);
  });
  afterAll(async () => {
    await Promise.all([proxy?.close(), servers?.close()]);
    await sandbox?.cleanup();
  });

  it('discovery goes through the proxy; the token request, over plain HTTP, is refused unless NO_PROXY lists the server', async () => {
    const issuerPort = Number(new URL(servers.issuer).port);
    const tokenRequests = () => servers.requests.filter((r) => r.path === '/token').length;
    const refused = await sandbox.spawn(['call', 'machine', 'whoami'], { env: { HTTP_PROXY: proxy.url } });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/refusing to send a credential to http:\/\/127\.0\.0\.1:\d+ over plain HTTP through the proxy/);
    expect(proxy.seen.some((s) => s.port === issuerPort)).toBe(true);
    expect(tokenRequests()).toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).not.toContain(SECRET);

    const straight = await sandbox.spawn(['call', 'machine', 'whoami'], { env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    expect(straight.code, straight.stderr).toBe(0);
    expect(straight.stdout.trim()).toBe('hello ci-proxy');
    expect(tokenRequests()).toBe(1);
  });
});
