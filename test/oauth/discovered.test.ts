import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { startTestMcpHttpServer, type TestMcpHttpServer } from '../helpers/mcp-servers.js';
import { createOAuthSandbox, filesWithSentinel, recordingRunner } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { runInTerminal } from '../helpers/tty.js';

// Servers without an `oauth` block: OAuth starts only when a 401 advertises it (RFC 9728).
describe('ping/tools/call on an HTTP server that advertises OAuth only in its 401', () => {
  let servers: OAuthServers;
  let open: TestMcpHttpServer;
  let keyed: TestMcpHttpServer;
  let sandbox: Sandbox;
  const { outputs, run } = recordingRunner(() => sandbox);
  // A backend that fails as soon as anything opens it: proves that nothing did.
  const storeThatMustNotOpen = { env: { MCP_CLI_TOKEN_BACKEND: 'vault', VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: undefined } };

  beforeAll(async () => {
    servers = await startOAuthServers();
    open = await startTestMcpHttpServer({ open: true });
    keyed = await startTestMcpHttpServer({ token: 'static-key' });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl }, open: { url: open.url }, keyed: { url: keyed.url } });
  });
  afterAll(async () => {
    await Promise.all([servers?.close(), open?.close(), keyed?.close()]);
    await sandbox?.cleanup();
  });

  it('a server that never answers 401 is used without opening the token store', async () => {
    const opening = await run(['token', 'list'], storeThatMustNotOpen);
    expect(opening.code).toBe(1);
    expect(opening.stderr).toContain("token backend 'vault'");
    const result = await run(['tools', 'open'], storeThatMustNotOpen);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^echo\s/m);
    expect(open.authorizations).toEqual(Array(open.authorizations.length).fill(undefined));
  });

  it('a 401 that does not advertise OAuth is a plain authentication error, without opening the store', async () => {
    const result = await run(['tools', 'keyed'], storeThatMustNotOpen);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("server 'keyed' answered HTTP 401, and its entry sends no stored token");
    expect(result.stderr).not.toMatch(/vault|auth login/i);
  });

  it('without a terminal, a 401 that advertises OAuth exits 4 asking for a login', async () => {
    const result = await run(['tools', 'notes']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('run mcp-cli auth login notes');
    expect(result.stderr).not.toContain('open this URL');
    expect(servers.counters.register).toBe(0);
    expect(servers.counters.authorize).toBe(0);
  });

  it('after auth login the same tools call succeeds with the stored token', async () => {
    const login = await run(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
    const unauthorizedBefore = servers.counters.unauthorized;
    const result = await run(['tools', 'notes']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^whoami\tgreeting\?: string\tSays which OAuth client called$/m);
    // One 401 (the request that found OAuth), then every request carries the token.
    expect(servers.counters.unauthorized - unauthorizedBefore).toBe(1);
    expect(servers.counters.refreshGrant).toBe(0);
  });

  it('an expired token is refreshed as usual once the 401 shows that the server does OAuth', async () => {
    servers.provider.expireAccessTokens();
    const result = await run(['call', 'notes', 'whoami', '--args', '{"greeting":"hi"}']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^hi [\w-]+\n$/);
    expect(servers.counters.refreshGrant).toBe(1);
  });

  it('in a terminal, the 401 starts a login through the browser and the tool call succeeds', async () => {
    const logout = await run(['auth', 'logout', 'notes']);
    expect(logout.code, logout.stderr).toBe(0);
    const codeGrants = servers.counters.codeGrant;
    const result = await runInTerminal(['tools', 'notes'], [], { env: sandbox.env, cwd: sandbox.home });
    outputs.push(result.stdout);
    expect(result.stdout).toContain("'notes' needs an OAuth login.");
    expect(result.stdout).toContain('open this URL in a browser');
    expect(result.stdout).toMatch(/whoami\s+greeting\?: string\s+Says which OAuth client called/);
    expect(result.code).toBe(0);
    expect(servers.counters.codeGrant - codeGrants).toBe(1);
    expect(servers.counters.register).toBe(1);
    const status = await run(['auth', 'status', 'notes', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ server: 'notes', issuer: servers.issuer, canRefresh: true });
  });

  it('never leaves a token in a plaintext file or in any output', async () => {
    expect(await filesWithSentinel(sandbox.home)).toEqual([]);
    for (const text of outputs) expect(text).not.toContain(`${SENTINEL}-`);
  });
});
