// Which scopes a login asks for (MCP scope selection strategy, 2025-11-25 and 2026-07-28): the scopes
// the user set, else the `scope` of the server's 401 challenge, else the protected resource metadata's
// scopes_supported, else none at all; against real authorization servers on 127.0.0.1. The challenge
// counts whichever way the login starts: `auth login`, a command in a terminal, or `mcp-cli run`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox } from '../helpers/oauth-cli.js';
import { startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { connectThroughRun } from '../helpers/run-client.js';
import { runInTerminal } from '../helpers/tty.js';

/** The `scope` of each authorization request a server received, in order (null: none sent). */
const authorizeScopes = (servers: OAuthServers) =>
  servers.requests.filter((r) => r.path === '/authorize').map((r) => (JSON.parse(r.query) as { scope?: string }).scope ?? null);

describe('a server whose 401 names a scope (mcp:basic) that its resource metadata does not list', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  beforeAll(async () => {
    servers = await startOAuthServers({ challengeScope: ['mcp:basic'], resourceScopes: ['mcp:tools'], asScopes: ['mcp:basic', 'mcp:tools'] });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl }, pinned: { url: servers.mcpUrl, oauth: { scopes: ['mcp:tools', 'mcp:basic'] } } });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('a login that a command starts in a terminal asks for the scope of the challenge', async () => {
    const before = authorizeScopes(servers).length;
    const result = await runInTerminal(['tools', 'notes'], [], { env: sandbox.env, cwd: sandbox.home });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('whoami');
    expect(authorizeScopes(servers).slice(before)).toEqual(['mcp:basic']);
  });

  it('so does a login that mcp-cli run starts for its client', async () => {
    await sandbox.run(['auth', 'logout', 'notes']);
    const before = authorizeScopes(servers).length;
    const run = await connectThroughRun(sandbox, 'notes');
    try {
      const answer = await run.client.callTool({ name: 'whoami', arguments: {} });
      expect(answer.isError).toBeFalsy();
      expect(authorizeScopes(servers).slice(before)).toEqual(['mcp:basic']);
    } finally {
      await run.close();
    }
  });

  it('and auth login, which asks the server for its challenge first', async () => {
    const before = authorizeScopes(servers).length;
    const login = await sandbox.run(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
    expect(authorizeScopes(servers).slice(before)).toEqual(['mcp:basic']);
    expect(login.stderr).toContain('scope mcp:basic');
  });

  it('scopes the user set come first', async () => {
    const before = authorizeScopes(servers).length;
    expect((await sandbox.run(['auth', 'login', 'pinned'])).code).toBe(0);
    expect((await sandbox.run(['auth', 'login', 'notes', '--scope', 'mcp:basic mcp:tools'])).code).toBe(0);
    expect(authorizeScopes(servers).slice(before)).toEqual(['mcp:tools mcp:basic', 'mcp:basic mcp:tools']);
  });
});

describe('a server whose 401 names no scope', () => {
  it('the login asks for the scopes_supported of its resource metadata, all of them', async () => {
    const servers = await startOAuthServers({ resourceScopes: ['mcp:tools', 'mcp:read'], asScopes: ['mcp:tools', 'mcp:read'] });
    const sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
    try {
      const result = await runInTerminal(['call', 'notes', 'whoami'], [], { env: sandbox.env, cwd: sandbox.home });
      expect(result.code, result.stdout).toBe(0);
      expect(authorizeScopes(servers)).toEqual(['mcp:tools mcp:read']);
    } finally {
      await servers.close();
      await sandbox.cleanup();
    }
  });

  it('without scopes_supported either, the login sends no scope parameter', async () => {
    const servers = await startOAuthServers({ resourceScopes: [], asScopes: [] });
    const sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
    try {
      const login = await sandbox.run(['auth', 'login', 'notes']);
      expect(login.code, login.stderr).toBe(0);
      expect(authorizeScopes(servers)).toEqual([null]);
      expect((await sandbox.run(['call', 'notes', 'whoami'])).code).toBe(0);
    } finally {
      await servers.close();
      await sandbox.cleanup();
    }
  });
});
