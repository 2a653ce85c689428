// The browser a login starts is a process of its own on a machine that other accounts may share:
// its command line is readable by all of them (/proc/PID/cmdline), and the loopback listener is
// reachable by all of them. The browser is started with a one-time link to the listener, never with
// the authorization request (state, PKCE challenge); it inherits none of mcp-cli's own secrets; and,
// where the system says who is at the other end (Linux), another account is refused at the listener.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, startCli } from '../helpers/oauth-cli.js';
import { createQuickTokenFile } from '../helpers/seed-store.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

const RECORDER = fileURLToPath(new URL('../helpers/recording-browser.mjs', import.meta.url));

/** mcp-cli's own credentials, set to sentinels: the browser must get none of them. */
const SECRETS = {
  MCP_CLI_ENCRYPTION_KEY: `${SENTINEL}-passphrase-7d1e`,
  MCP_CLI_NEW_ENCRYPTION_KEY: `${SENTINEL}-new-passphrase-51aa`,
  MCP_CLI_EXPORT_PASSPHRASE: `${SENTINEL}-export-0c3b`,
  VAULT_TOKEN: `${SENTINEL}-vault-9f42`,
};

interface BrowserRecord {
  pid: number;
  argv: string[];
  env: Record<string, string>;
}

async function browserRecord(path: string): Promise<BrowserRecord> {
  await expect.poll(() => existsSync(path), { timeout: 20_000, interval: 50 }).toBe(true);
  return JSON.parse(await readFile(path, 'utf8')) as BrowserRecord;
}

const tokenRequestBodies = (servers: OAuthServers) =>
  servers.requests
    .filter((r) => r.path === '/token')
    .map((r) => r.body)
    .join('\n');

// What an attacker's process does with a browser's command line: reads it, follows any URL in it
// (and, when given one, a leaked authorization URL) through the authorization server, which
// approves at once, and delivers the code it gets to the loopback callback first.
const ATTACKER = `
const [pid, leaked] = process.argv.slice(1);
const steps = [];
async function walk(start) {
  let url = start;
  for (let hop = 0; hop < 4; hop++) {
    const answer = await fetch(url, { redirect: 'manual' });
    await answer.arrayBuffer();
    steps.push({ path: new URL(url).pathname, status: answer.status });
    const location = answer.headers.get('location');
    if (!location) return;
    const next = new URL(location, url);
    if (next.pathname === '/callback') {
      const delivered = await fetch(next);
      await delivered.arrayBuffer();
      steps.push({ path: '/callback', status: delivered.status, code: next.searchParams.get('code') });
      return;
    }
    url = next.href;
  }
}
let cmdline = '';
if (pid !== '') {
  try { cmdline = require('fs').readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0').join(' '); } catch (e) { cmdline = 'unreadable: ' + e.code; }
}
const link = cmdline.split(' ').find((word) => /^https?:/.test(word));
(async () => {
  for (const url of [link, leaked]) if (url) await walk(url).catch((e) => steps.push({ error: String(e) }));
  console.log(JSON.stringify({ uid: process.getuid(), cmdline, steps }));
})();
`;

interface AttackerReport {
  uid: number;
  cmdline: string;
  steps: { path?: string; status?: number; code?: string; error?: string }[];
}

/** Runs the attacker as another account (uid 65534, nobody). */
function asAnotherAccount(args: string[]): Promise<AttackerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ATTACKER, ...args], { uid: 65534, gid: 65534, cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(JSON.parse(out) as AttackerReport));
  });
}

describe('the browser a login starts', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;

  beforeAll(async () => {
    servers = await startOAuthServers();
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
    Object.assign(sandbox.env, SECRETS);
    await createQuickTokenFile(sandbox.env.XDG_DATA_HOME!, SECRETS.MCP_CLI_ENCRYPTION_KEY);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  const browserEnv = (record: string, extra: Record<string, string> = {}) => ({
    BROWSER: `${process.execPath} ${RECORDER}`,
    BROWSER_RECORD: join(sandbox.home, record),
    ...extra,
  });

  it('gets a one-time loopback link: no state, PKCE challenge or authorization server on its command line, and none of the secrets in its environment', async () => {
    const cli = startCli(sandbox, ['auth', 'login', 'notes'], browserEnv('browser-a.json', { DISPLAY: ':7' }));
    const seen = await browserRecord(join(sandbox.home, 'browser-a.json'));
    expect(seen.argv).toHaveLength(1);
    const link = new URL(seen.argv[0]!);
    expect(link.hostname).toBe('127.0.0.1');
    expect(link.port).not.toBe(new URL(servers.origin).port);
    expect(link.search).toBe('');
    expect(link.pathname).not.toBe('/callback');
    for (const part of ['state', 'code_challenge', 'client_id', 'redirect_uri', 'authorize']) expect(seen.argv[0]).not.toContain(part);
    // Its environment is the user's desktop session, less mcp-cli's own credentials.
    expect(seen.env.HOME).toBe(sandbox.home);
    expect(seen.env.DISPLAY).toBe(':7');
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(seen.env[name]).toBeUndefined();
      expect(JSON.stringify(seen.env)).not.toContain(value);
    }

    // The link sends the browser on to the authorization request, which is not cached and leaks no referrer.
    const hop = await fetch(link, { redirect: 'manual' });
    expect(hop.status).toBe(302);
    expect(hop.headers.get('cache-control')).toContain('no-store');
    expect(hop.headers.get('referrer-policy')).toBe('no-referrer');
    const authorize = new URL(hop.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${servers.origin}/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    const approved = await fetch(authorize, { redirect: 'manual' });
    const callback = await fetch(approved.headers.get('location')!);
    expect(callback.status).toBe(200);
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("✓ Logged in to 'notes'");
  });

  it('a second request to the one-time link is refused, and stops the login', async () => {
    const tokenRequests = servers.requests.filter((r) => r.path === '/token').length;
    const cli = startCli(sandbox, ['auth', 'login', 'notes'], browserEnv('browser-b.json'));
    const seen = await browserRecord(join(sandbox.home, 'browser-b.json'));
    expect((await fetch(seen.argv[0]!, { redirect: 'manual' })).status).toBe(302);
    const again = await fetch(seen.argv[0]!, { redirect: 'manual' });
    expect(again.status).toBe(410);
    expect(again.headers.get('location')).toBeNull();
    expect(await again.text()).not.toContain('state=');
    const result = await cli.exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the one-time login link was requested a second time');
    expect(servers.requests.filter((r) => r.path === '/token')).toHaveLength(tokenRequests);
  });

  it.runIf(process.getuid?.() === 0)(
    "another account reads the browser's command line, but cannot take the login request, and its own code is refused at the callback",
    async () => {
      const cli = startCli(sandbox, ['auth', 'login', 'notes'], browserEnv('browser-c.json', { BROWSER_LINGER_MS: '30000' }));
      const seen = await browserRecord(join(sandbox.home, 'browser-c.json'));
      try {
        const link = seen.argv[0]!;
        const spy = await asAnotherAccount([String(seen.pid)]);
        expect(spy.uid).toBe(65534);
        // The command line is readable by any account: that is why nothing of the request is on it.
        expect(spy.cmdline).toContain(link);
        expect(spy.cmdline).not.toMatch(/state=|code_challenge|\/authorize/);
        expect(spy.steps).toEqual([{ path: new URL(link).pathname, status: 403 }]);

        // The user's browser takes the link.
        const hop = await fetch(link, { redirect: 'manual' });
        expect(hop.status).toBe(302);
        const authorize = hop.headers.get('location')!;
        // Were the request to leak anyway, the other account's own approved code is refused at the callback.
        const attacker = await asAnotherAccount(['', authorize]);
        const delivered = attacker.steps.at(-1)!;
        expect(delivered).toMatchObject({ path: '/callback', status: 403 });
        expect(delivered.code).toMatch(/^[\w-]{36}$/);

        // The user's own redirect completes the login, with the user's code.
        const approved = await fetch(authorize, { redirect: 'manual' });
        const callback = new URL(approved.headers.get('location')!);
        expect((await fetch(callback)).status).toBe(200);
        const result = await cli.exited;
        expect(result.code, result.stderr).toBe(0);
        expect(tokenRequestBodies(servers)).toContain(callback.searchParams.get('code'));
        expect(tokenRequestBodies(servers)).not.toContain(delivered.code);
      } finally {
        try {
          process.kill(seen.pid);
        } catch {
          // already gone
        }
      }
    },
  );
});
