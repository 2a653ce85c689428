// Servers of MCP 2025-03-26, which publish no protected resource metadata: the MCP server is its own
// authorization server, with its metadata at its origin (RFC 8414), or, without metadata, at the default
// endpoints /authorize, /token and /register of its origin. Real authorization servers on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox } from '../helpers/oauth-cli.js';
import { startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { runInTerminal } from '../helpers/tty.js';

const status = async (sandbox: Sandbox) => JSON.parse((await sandbox.run(['auth', 'status', 'notes', '--json'])).stdout) as Record<string, unknown>;
const paths = (servers: OAuthServers, from = 0) => servers.requests.slice(from).map((r) => `${r.method} ${r.path}`);

describe('a server with authorization server metadata at its own origin, and no resource metadata', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  beforeAll(async () => {
    servers = await startOAuthServers({ legacy: 'metadata' });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('its bare Bearer 401 is taken as OAuth: in a terminal the command logs in there and goes on', async () => {
    const result = await runInTerminal(['call', 'notes', 'whoami'], [], { env: sandbox.env, cwd: sandbox.home });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/hello \S+/);
    expect(paths(servers)).toEqual(expect.arrayContaining(['GET /.well-known/oauth-authorization-server', 'POST /register', 'GET /authorize', 'POST /token']));
    expect(await status(sandbox)).toMatchObject({ issuer: servers.issuer, resource: servers.mcpUrl, clientRegistration: 'dcr' });
  });

  it('later commands send the stored token after the 401, and refresh it at the same origin', async () => {
    servers.provider.expireAccessTokens();
    const result = await sandbox.run(['call', 'notes', 'whoami']);
    expect(result.code, result.stderr).toBe(0);
    expect(servers.counters.refreshGrant).toBe(1);
  });
});

describe('a server without any OAuth metadata: the default endpoints of its origin', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  beforeAll(async () => {
    servers = await startOAuthServers({ legacy: 'default-endpoints' });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('without an oauth block its 401 could be an API key server: the error says to add one', async () => {
    const result = await sandbox.run(['call', 'notes', 'whoami']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("server 'notes' answered HTTP 401, and its entry sends no stored token");
    expect(result.stderr).toContain('for an OAuth server that publishes no OAuth metadata (MCP 2025-03-26), add "oauth": {} to its entry');
    expect(paths(servers).filter((p) => !p.endsWith(' /mcp') && !p.startsWith('GET /.well-known/'))).toEqual([]);
  });

  it('with one, the login registers at /register, authorizes at /authorize and gets its tokens at /token', async () => {
    await writeOwnConfig(sandbox.home, { mcpServers: { notes: { url: servers.mcpUrl, oauth: {} } } });
    const before = servers.requests.length;
    const login = await sandbox.run(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain(`open this URL in a browser:\n\n  ${new URL(servers.mcpUrl).origin}/authorize?`);
    expect(paths(servers, before).filter((p) => !p.startsWith('GET /.well-known/') && !p.endsWith(' /mcp'))).toEqual([
      'POST /register',
      'GET /authorize',
      'POST /token',
    ]);
    expect(await status(sandbox)).toMatchObject({ issuer: new URL(servers.mcpUrl).origin, clientRegistration: 'dcr' });
    const call = await sandbox.run(['call', 'notes', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
  });

  it('the refresh goes to the default token endpoint too', async () => {
    servers.provider.expireAccessTokens();
    const before = servers.counters.refreshGrant;
    const call = await sandbox.run(['call', 'notes', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
    expect(servers.counters.refreshGrant).toBe(before + 1);
  });
});

describe('the URL policy holds for servers without metadata', () => {
  it('a plain http server across a network is refused before anything is sent', async () => {
    const sandbox = await createOAuthSandbox({ notes: { url: 'http://mcp.example.invalid/mcp', oauth: {} } });
    try {
      const login = await sandbox.run(['auth', 'login', 'notes']);
      expect(login.code).toBe(1);
      expect(login.stderr).toContain('refusing the URL of');
      expect(login.stderr).toContain('OAuth over plain http is accepted only on this machine');
    } finally {
      await sandbox.cleanup();
    }
  });
});
