// Step-up authorization (MCP 2026-07-28): a tool that needs a scope the first login lacked is
// answered 403 insufficient_scope; a new authorization asks for the union of the scopes granted and
// the one challenged (SEP-2350), and the call then succeeds. A server that keeps refusing ends with a
// clear error, in `call` on a terminal and in `mcp-cli run`; `call` without a terminal logs in where a
// browser can be opened, as `run` does; without a way to reach the user, exit 4 (or a JSON-RPC error)
// names the login to run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { connectThroughRun } from '../helpers/run-client.js';
import { runInTerminal } from '../helpers/tty.js';

const UNION = 'mcp:tools offline_access admin:write';
const NO_BROWSER = { BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };

let servers: OAuthServers;
beforeAll(async () => {
  servers = await startOAuthServers({
    asScopes: ['mcp:tools', 'offline_access', 'admin:write', 'ops:root', 'x:1', 'x:2'],
    toolScopes: { admin: 'admin:write', both: 'x:1 x:2' },
    stubbornTools: { broken: 'ops:root' },
  });
});
afterAll(async () => {
  await servers?.close();
});

/** The scope of each authorization request the server received, in order. */
const authorizeScopes = () =>
  servers.requests
    .filter((r) => r.path === '/authorize')
    .map((r) => (JSON.parse(r.query) as { scope?: string }).scope ?? (JSON.parse(r.body) as { scope?: string }).scope);
const status = async (sandbox: Sandbox) => JSON.parse((await sandbox.run(['auth', 'status', 'notes', '--json'])).stdout) as Record<string, unknown>;

async function loggedIn(): Promise<Sandbox> {
  const sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: {} } });
  const login = await sandbox.run(['auth', 'login', 'notes']);
  expect(login.code, login.stderr).toBe(0);
  return sandbox;
}

describe('step-up in a terminal command', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await loggedIn();
  });
  afterAll(async () => {
    await sandbox?.cleanup();
  });

  it('the first login asks for the resource scopes and offline_access, and records no step-up', async () => {
    expect(authorizeScopes().at(-1)).toBe('mcp:tools offline_access');
    expect(await status(sandbox)).toMatchObject({ scopes: ['mcp:tools', 'offline_access'], stepUpAt: null, grant: 'authorization_code' });
  });

  it('a tool needing another scope: one new login for the union, then the call succeeds', async () => {
    const before = authorizeScopes().length;
    const result = await runInTerminal(['call', 'notes', 'admin'], [], { env: sandbox.env, cwd: sandbox.home });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain(`'notes' needs more scopes: a new OAuth login asks for "${UNION}".`);
    expect(result.stdout).toContain(`admin done with ${UNION}`);
    expect(authorizeScopes().slice(before)).toEqual([UNION]);
    expect(result.stdout).not.toContain(`${SENTINEL}-`);
  });

  it('auth status shows the scopes now held and when the step-up happened', async () => {
    const now = await status(sandbox);
    expect(now).toMatchObject({ scopes: UNION.split(' '), stepUpScopes: UNION.split(' ') });
    expect(Date.parse(String(now.stepUpAt))).toBeGreaterThan(Date.now() - 60_000);
    const text = await sandbox.run(['auth', 'status', 'notes']);
    expect(text.stdout).toMatch(/^Step-up: {3}\d{4}-\d\d-\d\d.* \(scopes mcp:tools offline_access admin:write\)$/m);
    expect(text.stdout).toMatch(/^Grant: {5}authorization code \(browser\)$/m);
    expect(text.stdout).toMatch(/^Client: {4}\S+ \(dynamic client registration\)$/m);
  });

  it('the next call needs no new authorization', async () => {
    const before = servers.counters.authorize;
    const result = await sandbox.run(['call', 'notes', 'admin']);
    expect(result.code, result.stderr).toBe(0);
    expect(servers.counters.authorize).toBe(before);
  });

  it('a server that keeps answering insufficient_scope: one new authorization, then a clear error, no loop', async () => {
    const before = authorizeScopes().length;
    const result = await runInTerminal(['call', 'notes', 'broken'], [], { env: sandbox.env, cwd: sandbox.home });
    expect(result.code).toBe(1);
    expect(authorizeScopes().slice(before)).toEqual([`${UNION} ops:root`]);
    expect(result.stdout).toContain(
      `the server 'notes' answers HTTP 403 insufficient_scope for the scope "ops:root" though its token was issued with that scope`,
    );
    expect(result.stdout).toContain('logging in again does not change this');
  });
});

describe('step-up without a terminal', () => {
  it('where a browser can be opened, the call logs in for the union by itself, as mcp-cli run does', async () => {
    const sandbox = await loggedIn();
    try {
      const before = authorizeScopes().length;
      const result = await sandbox.run(['call', 'notes', 'admin']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`'notes' needs more scopes: a new OAuth login asks for "${UNION}".`);
      expect(result.stdout).toContain(`admin done with ${UNION}`);
      expect(authorizeScopes().slice(before)).toEqual([UNION]);
      // A missing login still asks for a terminal: the browser opens only to add scopes to a login the user made.
      await sandbox.run(['auth', 'logout', 'notes']);
      const missing = await sandbox.run(['tools', 'notes']);
      expect(missing.code).toBe(4);
      expect(authorizeScopes().slice(before)).toEqual([UNION]);
    } finally {
      await sandbox.cleanup();
    }
  });

  it('without a browser, exits 4 naming the login with the union of scopes; that login makes the call work', async () => {
    const sandbox = await loggedIn();
    try {
      const before = servers.counters.authorize;
      const result = await sandbox.run(['call', 'notes', 'admin'], { env: NO_BROWSER });
      expect(result.code).toBe(4);
      expect(result.stderr).toContain(`the server 'notes' needs the scope "admin:write", which the login lacks (HTTP 403 insufficient_scope)`);
      expect(result.stderr).toContain(`run mcp-cli auth login notes --scope '${UNION}'`);
      expect(servers.counters.authorize).toBe(before);
      const login = await sandbox.run(['auth', 'login', 'notes', '--scope', UNION]);
      expect(login.code, login.stderr).toBe(0);
      const call = await sandbox.run(['call', 'notes', 'admin']);
      expect(call.code, call.stderr).toBe(0);
      expect(call.stdout).toContain(`admin done with ${UNION}`);
    } finally {
      await sandbox.cleanup();
    }
  });
});

describe('step-up in mcp-cli run', () => {
  it('with a browser: the bridge authorizes the union once, and the call succeeds; a stubborn server ends in an error', async () => {
    const sandbox = await loggedIn();
    const run = await connectThroughRun(sandbox, 'notes');
    try {
      const before = authorizeScopes().length;
      const answer = await run.client.callTool({ name: 'admin', arguments: {} });
      expect(answer.content).toEqual([{ type: 'text', text: `admin done with ${UNION}` }]);
      expect(authorizeScopes().slice(before)).toEqual([UNION]);
      await expect(run.client.callTool({ name: 'broken', arguments: {} })).rejects.toThrow(/answers HTTP 403 insufficient_scope for the scope "ops:root"/);
      expect(authorizeScopes().slice(before)).toEqual([UNION, `${UNION} ops:root`]);
      // The session goes on: other tools still work.
      expect((await run.client.callTool({ name: 'whoami', arguments: {} })).isError).toBeFalsy();
    } finally {
      await run.close();
      await sandbox.cleanup();
    }
  });

  it('without a browser: a JSON-RPC error naming the login with the union, as for a missing login', async () => {
    const sandbox = await loggedIn();
    const run = await connectThroughRun(sandbox, 'notes', { env: NO_BROWSER });
    try {
      const before = servers.counters.authorize;
      expect((await run.client.callTool({ name: 'whoami', arguments: {} })).isError).toBeFalsy();
      await expect(run.client.callTool({ name: 'admin', arguments: {} })).rejects.toThrow(`run mcp-cli auth login notes --scope '${UNION}'`);
      expect(servers.counters.authorize).toBe(before);
    } finally {
      await run.close();
      await sandbox.cleanup();
    }
    // As after a missing login: exit 4 once the client leaves, the last answer having been that one.
    expect((await run.exited).code).toBe(4);
    expect(run.stderr()).not.toContain(`${SENTINEL}-`);
  });
});

describe('a server that names the scopes of the current operation one at a time (SEP-2350)', () => {
  it('a second challenge for another scope gets a second authorization for the growing union, then the call succeeds', async () => {
    const sandbox = await loggedIn();
    try {
      const before = authorizeScopes().length;
      const result = await sandbox.run(['call', 'notes', 'both']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('both done with mcp:tools offline_access x:1 x:2');
      expect(authorizeScopes().slice(before)).toEqual(['mcp:tools offline_access x:1', 'mcp:tools offline_access x:1 x:2']);
      expect(result.stderr).not.toContain('though its token was issued');
    } finally {
      await sandbox.cleanup();
    }
  });
});

describe('step-up with an authorization server that holds clients to their registered scopes', () => {
  it('registers anew for the union, since the first registration named fewer scopes', async () => {
    const strict = await startOAuthServers({ asScopes: ['mcp:tools', 'admin:write'], toolScopes: { admin: 'admin:write' }, registeredScopes: true });
    const sandbox = await createOAuthSandbox({ notes: { url: strict.mcpUrl } });
    try {
      expect((await sandbox.run(['auth', 'login', 'notes'])).code).toBe(0);
      const result = await runInTerminal(['call', 'notes', 'admin'], [], { env: sandbox.env, cwd: sandbox.home });
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toContain('admin done with mcp:tools admin:write');
      const registrations = strict.requests.filter((r) => r.path === '/register').map((r) => (JSON.parse(r.body) as { scope?: string }).scope);
      expect(registrations).toEqual(['mcp:tools', 'mcp:tools admin:write']);
      expect(strict.counters.authorize).toBe(2);
    } finally {
      await strict.close();
      await sandbox.cleanup();
    }
  });
});

describe('a server that names a new scope on every answer', () => {
  it('gets two new authorizations in one mcp-cli run session, then an error: never a login for each', async () => {
    const greedy = await startOAuthServers({
      asScopes: ['mcp:tools', 'x:1', 'x:2', 'x:3'],
      toolScopes: { one: 'x:1', two: 'x:2', three: 'x:3' },
    });
    const sandbox = await createOAuthSandbox({ notes: { url: greedy.mcpUrl, oauth: {} } });
    try {
      expect((await sandbox.run(['auth', 'login', 'notes'])).code).toBe(0);
      const run = await connectThroughRun(sandbox, 'notes');
      try {
        const before = greedy.counters.authorize;
        expect((await run.client.callTool({ name: 'one', arguments: {} })).isError).toBeFalsy();
        expect((await run.client.callTool({ name: 'two', arguments: {} })).isError).toBeFalsy();
        await expect(run.client.callTool({ name: 'three', arguments: {} })).rejects.toThrow(/after 2 new authorizations in this session/);
        expect(greedy.counters.authorize).toBe(before + 2);
      } finally {
        await run.close();
      }
    } finally {
      await greedy.close();
      await sandbox.cleanup();
    }
  });
});
