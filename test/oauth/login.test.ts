import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { AUTH_URL, createOAuthSandbox, filesWithSentinel, recordingRunner, startCli } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

describe('auth login / status / logout against a real authorization server', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const { outputs, run } = recordingRunner(() => sandbox);

  beforeAll(async () => {
    servers = await startOAuthServers({ issParameter: true });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('logs in through the browser command, registering the client once', async () => {
    const result = await run(['auth', 'login', 'notes']);
    expect(result.stderr).toContain('open this URL in a browser');
    expect(result.stderr).toMatch(/✓ Logged in to 'notes' \(issuer http:\/\/127\.0\.0\.1:\d+\/, scope mcp:tools/);
    expect(result.code).toBe(0);
    expect(servers.counters.register).toBe(1);
    expect(servers.counters.codeGrant).toBe(1);
    const url = new URL(AUTH_URL.exec(result.stderr)![1]!);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('resource')).toBe(servers.mcpUrl);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  });

  it('shows the tokens in token list, token get --oauth and auth status', async () => {
    const list = await run(['token', 'list', '--json']);
    const tokens = JSON.parse(list.stdout) as { name: string; namespace: string; type: string; expiresAt: string | null; details: Record<string, string> }[];
    const oauth = tokens.find((t) => t.namespace === 'oauth')!;
    expect(oauth).toMatchObject({ name: 'notes', type: 'oauth', details: { issuer: servers.issuer, scope: 'mcp:tools', tokenType: 'Bearer' } });
    expect(Date.parse(oauth.expiresAt!)).toBeGreaterThan(Date.now());
    const get = await run(['token', 'get', 'notes', '--oauth']);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/Type:\s+oauth/);
    const status = await run(['auth', 'status', 'notes', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({
      server: 'notes',
      issuer: servers.issuer,
      scopes: ['mcp:tools'],
      expired: false,
      canRefresh: true,
      clientRegistration: 'dcr',
      backend: 'encrypted',
    });
  });

  it('reuses the stored client registration on a second login', async () => {
    const result = await run(['auth', 'login', 'notes']);
    expect(result.code).toBe(0);
    expect(servers.counters.register).toBe(1);
    expect(servers.counters.codeGrant).toBe(2);
  });

  it('ignores a response whose state was not sent by this login, and keeps waiting for its own', async () => {
    const before = servers.counters.codeGrant;
    const result = await run(['auth', 'login', 'notes', '--timeout', '3s'], { env: { FOLLOW_TAMPER: 'state' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no answer from the browser within 3 s; the login timed out/);
    expect(servers.counters.codeGrant).toBe(before);
  });

  it('refuses a response from another issuer (RFC 9207)', async () => {
    const before = servers.counters.codeGrant;
    const result = await run(['auth', 'login', 'notes'], { env: { FOLLOW_TAMPER: 'iss' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/issuer https:\/\/evil\.example\/.*refused/);
    expect(servers.counters.codeGrant).toBe(before);
  });

  it('--no-browser accepts the redirected URL pasted on stdin', async () => {
    const cli = startCli(sandbox, ['auth', 'login', 'notes', '--no-browser'], { BROWSER: 'false-browser-that-must-not-run' });
    const [, authUrl] = await cli.waitForStderr(AUTH_URL);
    const response = await fetch(authUrl!, { redirect: 'manual' });
    cli.child.stdin.end(`not a url\n${response.headers.get('location')}\n`);
    const result = await cli.exited;
    outputs.push(result.stdout, result.stderr);
    expect(result.stderr).toContain('paste here the full URL');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("✓ Logged in to 'notes'");
  });

  it('--no-browser refuses a bare code where the server names its issuer in every response (RFC 9207)', async () => {
    const before = servers.counters.codeGrant;
    const cli = startCli(sandbox, ['auth', 'login', 'notes', '--no-browser'], { BROWSER: 'false-browser-that-must-not-run' });
    const [, authUrl] = await cli.waitForStderr(AUTH_URL);
    const response = await fetch(authUrl!, { redirect: 'manual' });
    cli.child.stdin.end(`${new URL(response.headers.get('location')!).searchParams.get('code')}\n`);
    const result = await cli.exited;
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('names its issuer in every response (RFC 9207), and a bare code carries none; it was refused');
    expect(result.stderr).toContain('hint: paste the full URL the browser was redirected to instead');
    expect(servers.counters.codeGrant).toBe(before);
  });

  it('times out when no browser answers', async () => {
    const result = await run(['auth', 'login', 'notes', '--timeout', '1s'], { env: { BROWSER: 'true' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/timed out/);
  });

  it('logout revokes the grant at the server, then deletes the tokens', async () => {
    expect(servers.provider.liveRefreshTokens).toBeGreaterThan(0);
    const result = await run(['auth', 'logout', 'notes']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('✓ Revoked the tokens at');
    expect(servers.counters.revoke).toBe(2);
    const status = await run(['auth', 'status', 'notes']);
    expect(status.code).toBe(4);
    expect(status.stderr).toContain("not logged in to 'notes'");
  });

  it('never leaves a token in a plaintext file or in any output', async () => {
    expect(await filesWithSentinel(sandbox.home)).toEqual([]);
    for (const text of outputs) expect(text).not.toContain(`${SENTINEL}-`);
  });
});

describe('authorization servers that are refused', () => {
  it('refuses a server that does not advertise PKCE S256', async () => {
    const servers = await startOAuthServers({ codeChallengeMethods: [] });
    const sandbox = await createOAuthSandbox({ plain: { url: servers.mcpUrl } });
    try {
      const result = await sandbox.run(['auth', 'login', 'plain']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/does not advertise PKCE with S256/);
      expect(servers.counters.register).toBe(0);
      expect(servers.counters.authorize).toBe(0);
    } finally {
      await servers.close();
      await sandbox.cleanup();
    }
  });
});

describe('--no-browser with a server that shows a code instead of redirecting', () => {
  it('takes the bare code pasted on stdin; PKCE binds it to this login', async () => {
    const servers = await startOAuthServers();
    const sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
    try {
      const cli = startCli(sandbox, ['auth', 'login', 'notes', '--no-browser'], { BROWSER: 'false-browser-that-must-not-run' });
      const [, authUrl] = await cli.waitForStderr(AUTH_URL);
      const response = await fetch(authUrl!, { redirect: 'manual' });
      const code = new URL(response.headers.get('location')!).searchParams.get('code')!;
      cli.child.stdin.end(`${code}\n`);
      const result = await cli.exited;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('or the code the server shows');
      expect(result.stderr).not.toContain(code);
      expect(servers.counters.codeGrant).toBe(1);
      expect((await sandbox.run(['call', 'notes', 'whoami'])).code).toBe(0);
    } finally {
      await servers.close();
      await sandbox.cleanup();
    }
  });
});
