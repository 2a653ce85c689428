// token validate on an OAuth login: a real refresh at the test authorization server, then the server check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, filesWithSentinel } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

interface Report {
  tokens: { name: string; result: string; checks: { check: string; target: string | null; result: string; detail: string }[] }[];
}

describe('token validate with an OAuth login', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const outputs: string[] = [];
  const validate = async () => {
    const r = await sandbox.run(['token', 'validate', 'notes', '--namespace', 'oauth', '--json']);
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  beforeAll(async () => {
    servers = await startOAuthServers({ accessTokenTtl: 3600 });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: {} } });
    const login = await sandbox.run(['auth', 'login', 'notes']);
    outputs.push(login.stdout, login.stderr);
    expect(login.code, login.stderr).toBe(0);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('refreshes the login once and checks the server with the new token (exit 0)', async () => {
    const unauthorized = servers.counters.unauthorized;
    const r = await validate();
    expect(r.code, r.stderr).toBe(0);
    const [token] = (JSON.parse(r.stdout) as Report).tokens;
    expect(token!.result).toBe('passed');
    expect(token!.checks.map((c) => [c.check, c.target, c.result])).toEqual([
      ['expiry', null, 'passed'],
      ['oauth-refresh', servers.issuer, 'passed'],
      ['server', 'notes', 'passed'],
    ]);
    expect(servers.counters.refreshGrant).toBe(1);
    expect(servers.counters.unauthorized).toBe(unauthorized);
    expect(servers.provider.liveRefreshTokens).toBe(1);
  });

  it('token rotate --oauth rotates a login by refreshing it', async () => {
    const before = servers.counters.refreshGrant;
    const r = await sandbox.run(['token', 'rotate', 'notes', '--oauth']);
    outputs.push(r.stdout, r.stderr);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Rotated OAuth token 'notes': refreshed at ${servers.issuer}`);
    expect(servers.counters.refreshGrant - before).toBe(1);
    const call = await sandbox.run(['call', 'notes', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
    const wrong = await sandbox.run(['token', 'rotate', 'notes', '--oauth', '--expires', '30d']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(
      "'notes' is an OAuth token: its new value and expiry come from its authorization server, so --value, --value-file and --expires do not apply",
    );
    expect(servers.counters.refreshGrant - before).toBe(1);
  });

  it('a revoked refresh token is rejected (exit 4) and the server is not contacted', async () => {
    servers.provider.revokeRefreshTokens();
    const unauthorized = servers.counters.unauthorized;
    const r = await validate();
    expect(r.code).toBe(4);
    const [token] = (JSON.parse(r.stdout) as Report).tokens;
    expect(token!.result).toBe('rejected');
    expect(token!.checks.at(-1)).toMatchObject({ check: 'oauth-refresh', result: 'rejected' });
    expect(token!.checks.at(-1)!.detail).toContain('invalid_grant');
    expect(r.stderr).toContain('1 token: 1 rejected');
    expect(servers.counters.unauthorized).toBe(unauthorized);
  });

  it('audits the login, each refresh and each validation, and never shows or stores a token in plaintext', async () => {
    const r = await sandbox.run(['token', 'audit', '--name', 'notes', '--namespace', 'oauth', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const events = JSON.parse(r.stdout) as { action: string; detail?: { result?: string } }[];
    expect(
      events.filter((e) => ['login', 'refreshed', 'validated'].includes(e.action)).map((e) => `${e.action}${e.detail?.result ? ` ${e.detail.result}` : ''}`),
    ).toEqual(['login', 'refreshed', 'validated passed', 'refreshed', 'validated rejected']);
    for (const text of [...outputs, r.stdout]) expect(text).not.toContain(`${SENTINEL}-`);
    expect(await filesWithSentinel(sandbox.home)).toEqual([]);
  });
});
