// offline_access (MCP 2026-07-28): asked for when the authorization server lists it and the user
// set no scopes; never assumed to bring a refresh token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, sandboxTokenStore } from '../helpers/oauth-cli.js';
import { startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

const lastAuthorizeScope = (servers: OAuthServers) =>
  (JSON.parse(servers.requests.filter((r) => r.path === '/authorize').at(-1)!.query) as { scope?: string }).scope;

describe('an authorization server that lists offline_access but issues no refresh token', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  beforeAll(async () => {
    servers = await startOAuthServers({ asScopes: ['mcp:tools', 'offline_access'], refreshTokens: false });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl }, chosen: { url: servers.mcpUrl, oauth: { scopes: ['mcp:tools'] } } });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('asks for offline_access with the default scopes, not when the user set scopes', async () => {
    expect((await sandbox.run(['auth', 'login', 'notes'])).code).toBe(0);
    expect(lastAuthorizeScope(servers)).toBe('mcp:tools offline_access');
    expect((await sandbox.run(['auth', 'login', 'chosen'])).code).toBe(0);
    expect(lastAuthorizeScope(servers)).toBe('mcp:tools');
  });

  it('without a refresh token: status says so, and an expired login asks for a new one (exit 4), no refresh grant sent', async () => {
    const status = await sandbox.run(['auth', 'status', 'notes']);
    expect(status.stdout).toContain('Refresh:   no (log in again when it expires)');
    const store = await sandboxTokenStore(sandbox);
    const token = (await store.get({ namespace: 'oauth', name: 'notes' }))!;
    await store.put({ ...token, metadata: { ...token.metadata, expiresAt: new Date(Date.now() - 1000).toISOString() } });
    const call = await sandbox.run(['call', 'notes', 'whoami']);
    expect(call.code).toBe(4);
    expect(call.stderr).toContain(`the OAuth access token of 'notes' expired and there is no refresh token; run mcp-cli auth login notes`);
    expect(servers.counters.refreshGrant).toBe(0);
  });
});
