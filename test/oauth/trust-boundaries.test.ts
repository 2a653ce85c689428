// OAuth at its edges, against a real authorization server and real impostors on 127.0.0.1: a
// mix-up through spoofed metadata, a forged callback, a client supplied by a repository's config
// during refresh, a revocation endpoint that redirects, a reference to another server's login,
// and URLs that are not https.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { startCatcher, type Catcher } from '../helpers/catcher.js';
import { createOAuthSandbox } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

let servers: OAuthServers;
let sandbox: Sandbox;
let spoof: Catcher;
/** What the spoofing server publishes as authorization server metadata, at any path. */
let spoofMetadata: Record<string, unknown> = {};

beforeAll(async () => {
  servers = await startOAuthServers();
  spoof = await startCatcher((req) =>
    req.method === 'GET' ? { status: 200, body: JSON.stringify(spoofMetadata) } : { status: 400, body: '{"error":"invalid_request"}' },
  );
});
afterAll(async () => {
  await Promise.all([servers.close(), spoof.close()]);
});
beforeEach(async () => {
  sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
  spoof.requests.length = 0;
});
afterEach(async () => {
  await sandbox.cleanup();
});

const realMetadata = async () => (await (await fetch(`${servers.issuer}.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
const tokenRequestsSince = (start: number) => servers.requests.slice(start).filter((r) => r.path === '/token');

describe('OAuth mix-up through oauth.authServerMetadataUrl', () => {
  it('refuses metadata on another origin that claims the real issuer: the code and verifier never reach its token endpoint', async () => {
    const real = await realMetadata();
    spoofMetadata = { ...real, token_endpoint: `${spoof.origin}/token` };
    const before = servers.counters.authorize;
    for (const path of ['/.well-known/oauth-authorization-server', '/metadata.json']) {
      await writeOwnConfig(sandbox.home, { mcpServers: { notes: { url: servers.mcpUrl, oauth: { authServerMetadataUrl: `${spoof.origin}${path}` } } } });
      const r = await sandbox.run(['auth', 'login', 'notes']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(
        `the authorization server metadata at ${spoof.origin}${path} names the issuer ${servers.issuer}, but is published neither at that issuer's well-known URL nor on its origin; refusing it`,
      );
    }
    expect(servers.counters.authorize).toBe(before);
    expect(spoof.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it("refuses another issuer's own metadata when the server names its authorization server", async () => {
    const real = await realMetadata();
    spoofMetadata = { ...real, issuer: `${spoof.origin}/`, token_endpoint: `${spoof.origin}/token` };
    await writeOwnConfig(sandbox.home, {
      mcpServers: { notes: { url: servers.mcpUrl, oauth: { authServerMetadataUrl: `${spoof.origin}/.well-known/oauth-authorization-server` } } },
    });
    const before = servers.counters.authorize;
    const r = await sandbox.run(['auth', 'login', 'notes']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`names the issuer ${spoof.origin}/, which 'notes' does not name as its authorization server; refusing it`);
    expect(servers.counters.authorize).toBe(before);
    expect(spoof.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it("accepts the issuer's own well-known URL", async () => {
    await writeOwnConfig(sandbox.home, {
      mcpServers: { notes: { url: servers.mcpUrl, oauth: { authServerMetadataUrl: `${servers.issuer}.well-known/oauth-authorization-server` } } },
    });
    const r = await sandbox.run(['auth', 'login', 'notes']);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('the loopback callback', () => {
  it('ignores a forged response with another state; the real redirect that follows completes the login', async () => {
    const log = join(sandbox.home, 'browser.log');
    const start = servers.requests.length;
    const before = servers.counters.codeGrant;
    const r = await sandbox.run(['auth', 'login', 'notes'], { env: { FOLLOW_FORGE_FIRST: '1', FOLLOW_LOG: log } });
    expect(r.code, r.stderr).toBe(0);
    // The login ends once the callback arrived; the stand-in browser logs the answer a moment later.
    await expect.poll(async () => (await readFile(log, 'utf8')).trim().split('\n'), { timeout: 10_000 }).toEqual(['forged 400', 'real 200']);
    expect(servers.counters.codeGrant).toBe(before + 1);
    expect(
      tokenRequestsSince(start)
        .map((t) => t.body)
        .join(),
    ).not.toContain('attacker-code');
  });
});

describe("a client from a config file that is not the login's", () => {
  it('is never sent with the refresh token, and the login survives', async () => {
    expect((await sandbox.run(['auth', 'login', 'notes'])).code).toBe(0);
    expect((await sandbox.run(['token', 'set', 'openai', '--type', 'api-key', '--provider', 'openai'], { input: `sk-${SENTINEL}-openai` })).code).toBe(0);
    const repo = join(sandbox.home, 'repo');
    await mkdir(repo);
    await writeFile(
      join(repo, 'server_config.json'),
      JSON.stringify({ mcpServers: { notes: { url: servers.mcpUrl, oauth: { clientId: 'attacker-client', clientSecret: '${TOKEN:api-key:openai}' } } } }),
    );
    // Even approved, the repository's client is not the one this login was made with.
    expect((await sandbox.run(['config', 'trust'], { cwd: repo })).code).toBe(0);
    const start = servers.requests.length;
    const rotate = await sandbox.run(['token', 'rotate', 'notes', '--oauth'], { cwd: repo });
    expect(rotate.code).toBe(4);
    expect(rotate.stderr).toContain("the config names the client 'attacker-client', not ");
    expect(rotate.stderr).toContain('so its refresh token was not sent');
    const validate = await sandbox.run(['token', 'validate', 'notes', '--namespace', 'oauth'], { cwd: repo });
    expect(validate.code).toBe(4);
    expect(tokenRequestsSince(start)).toEqual([]);
    expect(JSON.stringify(servers.requests.slice(start))).not.toContain(`sk-${SENTINEL}`);

    expect((await sandbox.run(['token', 'get', 'notes', '--oauth'])).code).toBe(0);
    const status = JSON.parse((await sandbox.run(['auth', 'status', 'notes', '--json'])).stdout);
    expect(status).toMatchObject({ clientRegistration: 'dcr', canRefresh: true });
    const refreshes = servers.counters.refreshGrant;
    const own = await sandbox.run(['token', 'rotate', 'notes', '--oauth']);
    expect(own.code, own.stderr).toBe(0);
    expect(servers.counters.refreshGrant).toBe(refreshes + 1);
  });
});

describe('a revocation endpoint that answers with a redirect', () => {
  it('is not followed: the tokens and the client go nowhere else, and the login is kept', async () => {
    const elsewhere = await startCatcher();
    const redirecting = await startOAuthServers({ revocationRedirect: `${elsewhere.origin}/revoke` });
    const own = await createOAuthSandbox({ notes: { url: redirecting.mcpUrl } });
    try {
      expect((await own.run(['auth', 'login', 'notes'])).code).toBe(0);
      const logout = await own.run(['auth', 'logout', 'notes']);
      expect(logout.code).toBe(1);
      expect(logout.stderr).toContain('refused to revoke the refresh token (HTTP 307');
      expect(logout.stderr).toContain('--local-only');
      expect(elsewhere.requests).toEqual([]);
      expect(logout.stderr + logout.stdout).not.toContain(`${SENTINEL}-`);
      expect((await own.run(['auth', 'status', 'notes'])).code).toBe(0);
    } finally {
      await Promise.all([own.cleanup(), redirecting.close(), elsewhere.close()]);
    }
  });
});

describe("a reference to another server's OAuth login", () => {
  let catcher: Catcher;
  beforeAll(async () => {
    catcher = await startCatcher();
  });
  afterAll(async () => {
    await catcher.close();
  });

  it('is refused in every field, and nothing is sent', async () => {
    expect((await sandbox.run(['auth', 'login', 'notes'])).code).toBe(0);
    const others = {
      access: { url: `${catcher.origin}/mcp`, headers: { Authorization: 'Bearer ${TOKEN:oauth:notes}' } },
      refresh: { url: `${catcher.origin}/mcp`, headers: { 'X-R': '${TOKEN:oauth:notes:refreshToken}' } },
      client: { url: `${catcher.origin}/mcp?c=\${TOKEN:oauth-client:notes}` },
      child: { command: process.execPath, args: ['-e', '0'], env: { T: '${TOKEN:oauth:notes}' } },
    };
    await writeOwnConfig(sandbox.home, { mcpServers: { notes: { url: servers.mcpUrl }, ...others } });
    for (const name of Object.keys(others)) {
      const r = await sandbox.run(['ping', name]);
      expect(r.code, name).toBe(1);
      expect(r.stderr).toMatch(/refers to an OAuth login; its tokens and client registration are sent only to the server that logged in/);
      expect(r.stdout + r.stderr).not.toContain(`${SENTINEL}-`);
    }
    const listed = JSON.parse((await sandbox.run(['servers', '--json'])).stdout) as { servers: { name: string; error: string | null }[] };
    expect(
      listed.servers
        .filter((s) => s.error?.includes('refers to an OAuth login'))
        .map((s) => s.name)
        .sort(),
    ).toEqual(Object.keys(others).sort());
    expect(catcher.requests).toEqual([]);
  });
});

describe('OAuth URLs that are not https', () => {
  it('refuses plain http beyond this machine before connecting, and file: or javascript: endpoints before any browser starts', async () => {
    const marker = join(sandbox.home, 'browser-started');
    sandbox.env.BROWSER = `${process.execPath} -e "require('fs').writeFileSync('${marker}', '1')"`;
    await writeOwnConfig(sandbox.home, {
      mcpServers: { notes: { url: servers.mcpUrl, oauth: { authServerMetadataUrl: 'http://192.0.2.1/.well-known/oauth-authorization-server' } } },
    });
    const plain = await sandbox.run(['auth', 'login', 'notes'], { timeoutMs: 10_000 });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe(
      "error: refusing the oauth.authServerMetadataUrl of 'notes' http://192.0.2.1/.well-known/oauth-authorization-server: OAuth over plain http is accepted only on this machine (127.0.0.1, localhost)\n",
    );

    const real = await realMetadata();
    // A server of its own that names no authorization server, so that its metadata's endpoints are what decides.
    await writeOwnConfig(sandbox.home, {
      mcpServers: { notes: { url: `${spoof.origin}/mcp`, oauth: { authServerMetadataUrl: `${spoof.origin}/.well-known/oauth-authorization-server` } } },
    });
    spoofMetadata = { ...real, issuer: `${spoof.origin}/`, authorization_endpoint: 'file:///etc/passwd', token_endpoint: `${spoof.origin}/token` };
    const file = await sandbox.run(['auth', 'login', 'notes']);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain("error: refusing the authorization_endpoint of notes's authorization server file:///etc/passwd: OAuth uses only https: URLs");

    spoofMetadata = { ...spoofMetadata, authorization_endpoint: 'javascript:alert(1)' };
    const script = await sandbox.run(['auth', 'login', 'notes']);
    expect(script.code).toBe(1);
    expect(script.stderr.trim().split('\n')).toHaveLength(1);
    expect(script.stderr).toMatch(/^error: the authorization server metadata at .* is invalid: authorization_endpoint: /);
    expect(script.stderr).not.toContain('[{');
    expect(existsSync(marker)).toBe(false);
    expect(spoof.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
