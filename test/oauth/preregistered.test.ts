import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, filesWithSentinel, recordingRunner } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

// The secret is stored as a token, and the config builds the client secret from it with a
// reference inside a longer string: the same resolver as every other field, not a special case.
const STORED_PART = `${SENTINEL}-CS-3f9a1c`;
const CLIENT_SECRET = `${STORED_PART}:v2`;

describe('auth login with a pre-registered client from server_config.json', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const { outputs, run } = recordingRunner(() => sandbox);

  beforeAll(async () => {
    servers = await startOAuthServers();
    await servers.provider.clientsStore.registerClient!({
      client_id: 'preset-client',
      client_secret: CLIENT_SECRET,
      client_name: 'mcp-cli (registered by an administrator)',
      // A loopback redirect URI matches any port (RFC 8252 section 7.3).
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    sandbox = await createOAuthSandbox({
      notes: {
        url: servers.mcpUrl,
        oauth: { clientId: '${NOTES_CLIENT_ID}', clientSecret: '${TOKEN:generic:notes-client}:v2', scopes: 'mcp:tools', issuer: servers.issuer },
      },
      missing: { url: servers.mcpUrl, oauth: { clientId: 'preset-client', clientSecret: 'x-${TOKEN:generic:nope}', issuer: servers.issuer } },
      local: { command: 'true' },
    });
    sandbox.env.NOTES_CLIENT_ID = 'preset-client';
    const set = await run(['token', 'set', 'notes-client', '--type', 'generic', '--value', '-'], { input: STORED_PART });
    expect(set.code, set.stderr).toBe(0);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('logs in with the configured client: no dynamic client registration at all', async () => {
    const result = await run(['auth', 'login', 'notes']);
    expect(result.stderr).toMatch(/✓ Logged in to 'notes'/);
    expect(result.code).toBe(0);
    expect(servers.counters.register).toBe(0);
    expect(servers.counters.codeGrant).toBe(1);
    const status = await run(['auth', 'status', 'notes', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ server: 'notes', clientRegistration: 'configured', canRefresh: true });
    // The configured client is kept with the login (kind configured), so that only it refreshes the login.
    const list = JSON.parse((await run(['token', 'list', '--json'])).stdout) as { namespace: string; details: Record<string, string> }[];
    expect(list.map((t) => t.namespace).sort()).toEqual(['generic', 'oauth', 'oauth-client']);
    expect(list.find((t) => t.namespace === 'oauth-client')?.details).toMatchObject({ kind: 'configured', clientId: 'preset-client' });
    expect(list.find((t) => t.namespace === 'oauth')?.details).toMatchObject({ clientId: 'preset-client' });
  });

  it('refreshes with the configured client secret, and the tool call runs as that client', async () => {
    servers.provider.expireAccessTokens();
    const result = await run(['call', 'notes', 'whoami', '--args', '{"greeting":"hi"}']);
    expect(result.stderr).toBe('');
    // The client id came from ${NOTES_CLIENT_ID}: a ${VAR} value of 8 characters or more is masked like a secret.
    expect(result.stdout).toBe('hi <redacted>\n');
    expect(servers.counters.refreshGrant).toBe(1);
    expect(servers.counters.register).toBe(0);
  });

  it('logout revokes with the configured client', async () => {
    const result = await run(['auth', 'logout', 'notes']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('✓ Revoked the tokens at');
    expect(servers.counters.revoke).toBe(2);
    expect(servers.provider.liveRefreshTokens).toBe(0);
  });

  it('a reference that cannot be resolved names the server and the field, and exits 4', async () => {
    const result = await run(['auth', 'login', 'missing']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("server 'missing', oauth.clientSecret: ${TOKEN:generic:nope}: no such token");
    expect(servers.counters.authorize).toBe(1);
  });

  it('a malformed oauth block names its JSON path', async () => {
    const bad = join(sandbox.home, 'bad.json');
    await writeFile(bad, JSON.stringify({ mcpServers: { notes: { url: servers.mcpUrl, oauth: { callbackPort: 'eighty' } } } }));
    const result = await run(['--config', bad, 'auth', 'login', 'notes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${bad}: mcpServers.notes.oauth.callbackPort: expected a number`);
  });

  it('a stdio server is refused', async () => {
    const result = await run(['auth', 'login', 'local']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/'local' in .*server_config\.json is a stdio server .*OAuth applies to HTTP servers/);
  });

  it('never leaves a token or the client secret in a plaintext file or in any output', async () => {
    expect(await filesWithSentinel(sandbox.home)).toEqual([]);
    for (const text of outputs) expect(text).not.toContain(`${SENTINEL}-`);
  });
});
