import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '@modelcontextprotocol/client';
import { CLI, type Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, filesWithSentinel } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { connectThroughRun, procView } from '../helpers/run-client.js';

// `mcp-cli run` bridging to an OAuth-protected server for a session that outlives its access tokens.
const textOf = (result: unknown) => (result as { content: { text: string }[] }).content[0]!.text;
/** No way to open a browser: no BROWSER, no desktop. */
const HEADLESS = { BROWSER: undefined, MCP_CLI_BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** mcp-cli run as a bare process, for what the SDK client hides: the raw answers and the exit code. */
function rawRun(sandbox: Sandbox, name: string, env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, [CLI, 'run', name], { cwd: sandbox.home, env: { ...sandbox.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, out: () => out, err: () => err, send: (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`) };
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};

/** Logs in to `server` as the user would in a terminal; keeps what it printed. */
async function logIn(sandbox: Sandbox, server: string, outputs: string[]): Promise<void> {
  const login = await sandbox.run(['auth', 'login', server]);
  outputs.push(login.stdout, login.stderr);
  expect(login.code, login.stderr).toBe(0);
}

/** No token in any plaintext file of the sandbox, nor in anything printed. */
async function expectNoTokenLeft(sandbox: Sandbox, outputs: string[]): Promise<void> {
  expect(await filesWithSentinel(sandbox.home)).toEqual([]);
  for (const text of outputs) expect(text).not.toContain(`${SENTINEL}-`);
}

// The two groups run side by side, each with its own servers: the long session mostly waits.
const sideBySide = { concurrent: true };

describe('mcp-cli run with OAuth: a session that outlives many access tokens', sideBySide, () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const outputs: string[] = [];

  beforeAll(async () => {
    servers = await startOAuthServers({ accessTokenTtl: 1 });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: {} } });
    await logIn(sandbox, 'notes', outputs);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it.sequential(
    'calls a tool every 250 ms for 8 s across many 1-second tokens without an error; then a revoked grant is an error naming auth login, and exit 4',
    async () => {
      const run = await connectThroughRun(sandbox, 'notes', { env: HEADLESS });
      const refreshesBefore = servers.counters.refreshGrant;
      const errors: unknown[] = [];
      let calls = 0;
      const end = Date.now() + 8000;
      while (Date.now() < end) {
        try {
          const result = await run.client.callTool({ name: 'whoami', arguments: { greeting: `call ${calls}` } });
          expect(textOf(result)).toMatch(new RegExp(`^call ${calls} [\\w-]+$`));
        } catch (error) {
          errors.push(error);
        }
        calls++;
        await sleep(250);
      }
      expect(errors).toEqual([]);
      expect(calls).toBeGreaterThanOrEqual(16);
      // The tokens lived 1 s: the session went through several of them, and each rotated refresh token was used once.
      expect(servers.counters.refreshGrant - refreshesBefore).toBeGreaterThanOrEqual(5);
      expect(servers.provider.liveRefreshTokens).toBe(1);
      expect(procView(run.pid).environ).not.toContain(`${SENTINEL}-`);

      // The user revokes access at the authorization server.
      servers.provider.revokeRefreshTokens();
      servers.provider.expireAccessTokens();
      const started = Date.now();
      const failed = await run.client.callTool({ name: 'whoami', arguments: {} }).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(ProtocolError);
      expect((failed as ProtocolError).message).toContain('run mcp-cli auth login notes');
      // Answered at once: no login was waited for.
      expect(Date.now() - started).toBeLessThan(30_000);
      // The next call says so too, without another refresh grant.
      const grants = servers.counters.refreshGrant;
      const again = await run.client.callTool({ name: 'whoami', arguments: {} }).catch((error: unknown) => error);
      expect((again as ProtocolError).message).toContain('mcp-cli auth login notes');
      expect(servers.counters.refreshGrant).toBe(grants);
      await run.close();
      expect(await run.exited).toEqual({ code: 4, signal: null });
      outputs.push(run.stderr());
      expect(run.stderr()).toContain('mcp-cli auth login notes');
    },
  );

  it.sequential('never leaves a token in a plaintext file or in any output', async () => {
    await expectNoTokenLeft(sandbox, outputs);
  });
});

describe('mcp-cli run with OAuth: logins, revoked grants and 401s', sideBySide, () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const outputs: string[] = [];

  beforeAll(async () => {
    servers = await startOAuthServers({ accessTokenTtl: 2 });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: {} }, fresh: { url: servers.mcpUrl, oauth: {} } });
    await logIn(sandbox, 'notes', outputs);
    // The user revokes access at the authorization server: the login stored for notes no longer works.
    servers.provider.revokeRefreshTokens();
    servers.provider.expireAccessTokens();
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it.sequential('a login made in a terminal meanwhile is picked up by the running session', async ({ expect }) => {
    const run = rawRun(sandbox, 'notes', HEADLESS);
    run.send(INITIALIZE);
    await expect.poll(() => run.out(), { timeout: 15_000 }).toContain('\n');
    expect(JSON.parse(run.out().split('\n')[0]!).error.message).toContain('run mcp-cli auth login notes');
    await logIn(sandbox, 'notes', outputs);
    run.send({ ...INITIALIZE, id: 2 });
    await expect.poll(() => run.out().split('\n').length, { timeout: 15_000 }).toBe(3);
    expect(JSON.parse(run.out().split('\n')[1]!)).toMatchObject({ id: 2, result: { serverInfo: { name: 'oauth-test-server' } } });
    run.child.stdin.end();
    // The last request succeeded: no login is needed any more.
    expect(await run.exited).toBe(0);
    outputs.push(run.out(), run.err());
  });

  it.sequential('with no login at all and no browser, initialize is answered with an error naming auth login, and exit 4', async ({ expect }) => {
    const run = rawRun(sandbox, 'fresh', HEADLESS);
    run.send(INITIALIZE);
    await expect.poll(() => run.out(), { timeout: 15_000 }).toContain('\n');
    const answer = JSON.parse(run.out());
    expect(answer).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32603 } });
    expect(answer.error.message).toContain('run mcp-cli auth login fresh');
    run.child.stdin.end();
    expect(await run.exited).toBe(4);
    expect(run.err()).toContain('mcp-cli auth login fresh');
    expect(run.err()).not.toContain('open this URL');
    outputs.push(run.out(), run.err());
  });

  it.sequential('when a browser can be opened, a session whose grant was revoked logs in again (URL on stderr) and goes on', async () => {
    // createOAuthSandbox's BROWSER follows the authorization server's redirect, as a user approving would.
    const run = await connectThroughRun(sandbox, 'notes');
    try {
      expect(textOf(await run.client.callTool({ name: 'whoami', arguments: { greeting: 'before' } }))).toMatch(/^before /);
      servers.provider.revokeRefreshTokens();
      servers.provider.expireAccessTokens();
      const logins = servers.counters.codeGrant;
      expect(textOf(await run.client.callTool({ name: 'whoami', arguments: { greeting: 'after' } }))).toMatch(/^after /);
      expect(servers.counters.codeGrant).toBe(logins + 1);
      expect(run.stderr()).toMatch(/open this URL in a browser:\s+http:\/\/127\.0\.0\.1:\d+\/authorize\?/);
    } finally {
      await run.close();
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
    outputs.push(run.stderr());
  });

  it.sequential('a 401 in the middle of a session is refreshed under the lock and the request sent again: the client never sees it', async () => {
    const longLived = await startOAuthServers({ accessTokenTtl: 3600 });
    const other = await createOAuthSandbox({ wiki: { url: longLived.mcpUrl, oauth: {} } });
    try {
      expect((await other.run(['auth', 'login', 'wiki'])).code).toBe(0);
      const run = await connectThroughRun(other, 'wiki', { env: HEADLESS });
      try {
        // Once this round trip is done, nothing the SDK client sent while connecting is still on its way.
        await run.client.callTool({ name: 'whoami', arguments: {} });
        for (let i = 0; i < 3; i++) {
          // The server forgets its access tokens (a restart, a revocation) while the stored expiry is hours away.
          longLived.provider.expireAccessTokens();
          const before = { ...longLived.counters };
          expect(textOf(await run.client.callTool({ name: 'whoami', arguments: { greeting: `round ${i}` } }))).toMatch(new RegExp(`^round ${i} `));
          // The call met the 401 (so did the GET event stream, if the SDK opened it just then), and one refresh served both.
          expect(longLived.counters.unauthorized - before.unauthorized).toBeGreaterThanOrEqual(1);
          expect(longLived.counters.refreshGrant - before.refreshGrant).toBe(1);
        }
      } finally {
        await run.close();
      }
      expect(await run.exited).toEqual({ code: 0, signal: null });
      outputs.push(run.stderr());
    } finally {
      await longLived.close();
      await other.cleanup();
    }
  });

  it.sequential('never leaves a token in a plaintext file or in any output', async () => {
    await expectNoTokenLeft(sandbox, outputs);
  });
});
