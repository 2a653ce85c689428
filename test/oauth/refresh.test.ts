import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, filesWithSentinel, sandboxTokenStore } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

describe('mcp-cli call refreshing OAuth tokens across processes', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const outputs: string[] = [];
  const call = async () => {
    const result = await sandbox.run(['call', 'notes', 'whoami', '--args', '{"greeting":"hi"}']);
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  beforeAll(async () => {
    servers = await startOAuthServers({ accessTokenTtl: 3600 });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: {} } });
    const login = await sandbox.run(['auth', 'login', 'notes']);
    outputs.push(login.stdout, login.stderr);
    expect(login.code).toBe(0);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('calls a tool with the stored token, without refreshing it', async () => {
    const result = await call();
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^hi [\w-]+\n$/);
    expect(servers.counters.refreshGrant).toBe(0);
  });

  it('after the server expires the token, a 401 triggers one refresh and the call succeeds', async () => {
    servers.provider.expireAccessTokens();
    const result = await call();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(servers.counters.refreshGrant).toBe(1);
  });

  it('five processes finding the token expired send exactly one refresh grant, and all succeed', async () => {
    // The stored expiry is passed, so each process refreshes before its first request.
    const expire = await sandbox.run(['token', 'list', '--json']);
    expect(expire.code).toBe(0);
    servers.provider.expireAccessTokens();
    await expireStoredToken(sandbox);
    const before = servers.counters.refreshGrant;
    const unauthorizedBefore = servers.counters.unauthorized;
    const results = await Promise.all(Array.from({ length: 5 }, () => call()));
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect(servers.counters.refreshGrant - before).toBe(1);
    expect(servers.counters.unauthorized - unauthorizedBefore).toBe(0);
    expect(servers.provider.liveRefreshTokens).toBe(1);
  });

  it('a revoked refresh token gives exit 4 without a terminal, drops the tokens, and does not loop', async () => {
    servers.provider.revokeRefreshTokens();
    servers.provider.expireAccessTokens();
    const before = servers.counters.refreshGrant;
    const result = await call();
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('run mcp-cli auth login notes');
    expect(servers.counters.refreshGrant - before).toBe(1);
    const status = await sandbox.run(['auth', 'status', 'notes']);
    expect(status.code).toBe(4);
    const again = await call();
    expect(again.code).toBe(4);
    expect(servers.counters.refreshGrant - before).toBe(1);
  });

  it('never leaves a token in a plaintext file or in any output', async () => {
    expect(await filesWithSentinel(sandbox.home)).toEqual([]);
    for (const text of outputs) expect(text).not.toContain(`${SENTINEL}-`);
  });
});

/** Moves the stored token's expiry into the past, through the store's own API. */
async function expireStoredToken(sandbox: Sandbox): Promise<void> {
  const store = await sandboxTokenStore(sandbox);
  const token = (await store.get({ namespace: 'oauth', name: 'notes' }))!;
  await store.put({ ...token, metadata: { ...token.metadata, expiresAt: new Date(Date.now() - 1000).toISOString() } });
}
