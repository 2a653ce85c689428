import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, filesWithSentinel, recordingRunner, sandboxTokenStore } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

interface AuditEntry {
  action: string;
  namespace?: string;
  name?: string;
  backend?: string;
  detail?: Record<string, string>;
}

describe('token rotate --oauth and the audit trail of an OAuth login', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const { outputs, run } = recordingRunner(() => sandbox);
  const storedAccessToken = async () => (await (await sandboxTokenStore(sandbox)).get({ namespace: 'oauth', name: 'notes' }))?.secret.accessToken;

  beforeAll(async () => {
    servers = await startOAuthServers();
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: {} } });
    const login = await run(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('rotating an OAuth token sends exactly one refresh grant and stores the new access token', async () => {
    const before = await storedAccessToken();
    expect(before).toMatch(new RegExp(`^${SENTINEL}-AT-`));
    const result = await run(['token', 'rotate', 'notes', '--oauth']);
    expect(result.stderr).toMatch(/✓ Rotated OAuth token 'notes': refreshed at http:\/\/127\.0\.0\.1:\d+\/; it expires \d{4}-/);
    expect(result.code).toBe(0);
    expect(servers.counters.refreshGrant).toBe(1);
    const after = await storedAccessToken();
    expect(after).toMatch(new RegExp(`^${SENTINEL}-AT-`));
    expect(after).not.toBe(before);
    // The rotated refresh token replaced the old one: one grant is alive, and the new access token works.
    expect(servers.provider.liveRefreshTokens).toBe(1);
    const call = await run(['call', 'notes', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
    expect(servers.counters.refreshGrant).toBe(1);
  });

  it('refuses a value for an OAuth token, and sends no grant', async () => {
    const result = await run(['token', 'rotate', 'notes', '--oauth', '--value', 'hand-made']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("'notes' is an OAuth token: its new value and expiry come from its authorization server");
    expect(servers.counters.refreshGrant).toBe(1);
  });

  it('the audit log records login, refreshed and logout, with no token value in it', async () => {
    servers.provider.expireAccessTokens();
    const call = await run(['call', 'notes', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
    expect(servers.counters.refreshGrant).toBe(2);
    const logout = await run(['auth', 'logout', 'notes']);
    expect(logout.code, logout.stderr).toBe(0);

    const audit = await run(['token', 'audit', '--json']);
    expect(audit.code).toBe(0);
    const entries = (JSON.parse(audit.stdout) as AuditEntry[]).filter((e) => e.namespace === 'oauth' && e.name === 'notes');
    const oauthEvents = entries.filter((e) => ['login', 'refreshed', 'logout'].includes(e.action));
    expect(oauthEvents.map((e) => [e.action, e.detail?.trigger ?? e.detail?.client ?? e.detail?.revoked])).toEqual([
      ['login', 'dcr'],
      ['refreshed', 'rotate'],
      ['refreshed', 'unauthorized'],
      ['logout', 'true'],
    ]);
    for (const e of oauthEvents) expect(e).toMatchObject({ backend: 'encrypted', detail: { issuer: servers.issuer } });
    const verify = await run(['token', 'audit', '--verify']);
    expect(verify.code).toBe(0);
    const log = await readFile(join(sandbox.env.XDG_STATE_HOME!, 'mcp-cli', 'audit.log'), 'utf8');
    expect(log).toContain('"action":"refreshed"');
    expect(log).not.toContain(`${SENTINEL}-`);
  });

  it('never leaves a token in a plaintext file or in any output', async () => {
    expect(await filesWithSentinel(sandbox.home)).toEqual([]);
    for (const text of outputs) expect(text).not.toContain(`${SENTINEL}-`);
  });
});
