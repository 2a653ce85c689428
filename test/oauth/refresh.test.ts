import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult, Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, filesWithSentinel } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

const CALLER = fileURLToPath(new URL('../helpers/oauth-call.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** A separate process calling a tool through oauthFetch + OAuthSession, with the sandbox's store. */
function callTool(sandbox: Sandbox, server: string, url: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CALLER, server, url], { cwd: REPO, env: sandbox.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('refreshing OAuth tokens across processes', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const outputs: string[] = [];
  const call = async () => {
    const result = await callTool(sandbox, 'notes', servers.mcpUrl);
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  beforeAll(async () => {
    servers = await startOAuthServers({ accessTokenTtl: 3600 });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
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
  const { EncryptedFileStore } = await import('../../src/stores/encrypted/store.js');
  const { passphraseSource } = await import('../../src/stores/encrypted/passphrase.js');
  const { encryptedFilePath } = await import('../../src/stores/encrypted/descriptor.js');
  const be = { env: sandbox.env, platform: process.platform, settings: {}, prompter: { secret: async () => '', confirm: async () => false }, canPrompt: false, stderr: process.stderr };
  const store = new EncryptedFileStore(encryptedFilePath(be), passphraseSource(be));
  const token = (await store.get({ namespace: 'oauth', name: 'notes' }))!;
  await store.put({ ...token, metadata: { ...token.metadata, expiresAt: new Date(Date.now() - 1000).toISOString() } });
}
