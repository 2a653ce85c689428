// An unlock session and the processes around it: a program that mcp-cli starts (exec's program,
// a stdio server) gets the tokens it was given and not the session; `token lock` and the timeout
// end the session for processes already running too (a run bridge, exec's own process), which
// then drop the key and every token decrypted with it, and write nothing more with it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProtocolError } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentKeyCache } from '../../src/agent/session.js';
import { startedByMcpCli, STARTED_BY } from '../../src/agent/started-by.js';
import { EncryptedFileStore } from '../../src/stores/encrypted/store.js';
import { passphraseSource } from '../../src/stores/encrypted/passphrase.js';
import type { Prompter } from '../../src/io/prompter.js';
import { plainToken, seedTokens } from '../helpers/seed-store.js';
import { CLI, createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox } from '../helpers/oauth-cli.js';
import { startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { connectThroughRun } from '../helpers/run-client.js';

const PASSPHRASE = `SENTINEL-passphrase-${randomBytes(8).toString('hex')}`;
const SECRET = 'SENTINEL-unlock-processes-7a31';
const noKey = { MCP_CLI_ENCRYPTION_KEY: undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** `mcp-cli` as a shell command line, for programs that run it themselves. */
const MCP_CLI = `${quote(process.execPath)} -- ${quote(CLI)}`;

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** The agents serving `home` (their command line names a socket inside it). */
async function agentsOf(home: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('__unlock-agent') && cmdline.includes(home)) pids.push(Number(entry));
  }
  return pids;
}

async function unlock(sb: Sandbox, passphrase: string, timeout = '10m'): Promise<void> {
  const r = await sb.run(['token', 'unlock', '--timeout', timeout], { env: { MCP_CLI_ENCRYPTION_KEY: passphrase } });
  expect(r.code, r.stderr).toBe(0);
}

async function stopAgents(sb: Sandbox): Promise<void> {
  await sb.run(['token', 'lock']);
  for (const pid of await agentsOf(sb.home)) process.kill(pid, 'SIGKILL');
}

describe('programs that mcp-cli starts do not get the unlock session', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    // No XDG_RUNTIME_DIR (as on macOS): the agent listens under the home, which a stdio server sees too.
    sb = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', XDG_RUNTIME_DIR: undefined }, { quickTokenFileUnder: PASSPHRASE });
    await seedTokens(sb.env.XDG_DATA_HOME!, PASSPHRASE, [plainToken('bearer', 'alpha', `${SECRET}-alpha`), plainToken('bearer', 'beta', `${SECRET}-beta`)]);
    await unlock(sb, PASSPHRASE);
    // The session works for the user's own commands: what follows is about who else may use it.
    expect((await sb.run(['token', 'get', 'beta', '--show-value'], { env: noKey })).stdout).toBe(`${SECRET}-beta\n`);
  });
  afterEach(async () => {
    await stopAgents(sb);
    await sb.cleanup();
  });

  it('exec: the program (given alpha) cannot read beta, not even after removing the mark or from a grandchild', async () => {
    const script = [
      `${MCP_CLI} token get beta --show-value; echo "direct=$?"`,
      `env -u ${STARTED_BY} ${MCP_CLI} token get beta --show-value; echo "unmarked=$?"`,
      `sh -c ${quote(`(env -u ${STARTED_BY} ${MCP_CLI} token get beta --show-value; echo "grandchild=$?")`)}`,
      'echo "given=$KEY"',
    ].join('\n');
    const r = await sb.run(['exec', '--env', 'KEY=${TOKEN:bearer:alpha}', '--', 'sh', '-c', script], { env: noKey });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('direct=1\nunmarked=1\ngrandchild=1\ngiven=<redacted>\n');
    expect(r.stdout + r.stderr).not.toContain(`${SECRET}-beta`);
    const notice = 'not using the unlock session: this process descends from a program that `mcp-cli exec` started (MCP_CLI_STARTED_BY)';
    expect(r.stderr.split(notice).length - 1).toBe(3);
    expect(r.stderr).toContain('a passphrase is needed for the encrypted token file');
  });

  it('run: a stdio server (given alpha) cannot read beta through the session', async () => {
    const out = join(sb.home, 'server-out');
    const err = join(sb.home, 'server-err');
    await writeOwnConfig(sb.home, {
      mcpServers: {
        nosy: {
          command: 'sh',
          args: ['-c', `${MCP_CLI} token get beta --show-value > ${quote(out)} 2> ${quote(err)}; exec cat`],
          env: { KEY: '${TOKEN:bearer:alpha}', MCP_CLI_TOKEN_BACKEND: 'encrypted' },
        },
      },
    });
    const r = await sb.run(['run', 'nosy'], { env: noKey, input: '' });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toBe('');
    const said = await readFile(err, 'utf8');
    expect(said).toContain('not using the unlock session: this process descends from an MCP server that mcp-cli started');
    expect(said).not.toContain(SECRET);
  });
});

describe('where the mark is looked for', () => {
  const environ = (vars: Record<string, string>) =>
    Buffer.from(
      Object.entries(vars)
        .map(([k, v]) => `${k}=${v}\0`)
        .join(''),
    );
  // A made-up process tree: 40 (a shell) < 30 (the program exec started, marked) < 20 (mcp-cli exec) < 1.
  const tree: Record<number, { parent: number; env: Buffer | undefined }> = {
    40: { parent: 30, env: environ({ PATH: '/bin' }) },
    30: { parent: 20, env: environ({ PATH: '/bin', [STARTED_BY]: 'exec' }) },
    20: { parent: 1, env: environ({ PATH: '/bin' }) },
    50: { parent: 60, env: undefined },
    60: { parent: 1, env: environ({}) },
  };
  const proc = { environ: (pid: number) => tree[pid]?.env, parent: (pid: number) => tree[pid]?.parent };

  it('in its own environment, else in the environment each ancestor started with (Linux), up to the first process', () => {
    expect(startedByMcpCli({ [STARTED_BY]: 'server' }, 'darwin', 60, proc)).toBe('server');
    expect(startedByMcpCli({}, 'linux', 40, proc)).toBe('exec');
    expect(startedByMcpCli({}, 'linux', 20, proc)).toBeUndefined();
    // An ancestor whose environment cannot be read (another user's, a setuid program) is passed over.
    expect(startedByMcpCli({}, 'linux', 50, proc)).toBeUndefined();
    // Elsewhere only the process's own environment tells.
    expect(startedByMcpCli({}, 'darwin', 40, proc)).toBeUndefined();
    // Emptied, the variable still marks.
    expect(startedByMcpCli({ [STARTED_BY]: '' }, 'linux', 20, proc)).toBe('a program');
  });
});

/** An encrypted store as a long-running mcp-cli process opens it, recording each key the session lends it. */
function lendingStore(sb: Sandbox) {
  const lent: Buffer[] = [];
  const agent = agentKeyCache(
    sb.env,
    () => undefined,
    () => undefined,
  );
  const cache = {
    get: async (identity: string) => {
      const got = await agent.get(identity);
      if (got) lent.push(got.key);
      return got;
    },
  };
  const noPrompt: Prompter = {
    secret: () => Promise.reject(new Error('no prompt')),
    confirm: () => Promise.resolve(false),
    ask: () => Promise.reject(new Error('no prompt')),
  };
  const path = join(sb.env.XDG_DATA_HOME!, 'mcp-cli', 'tokens.enc');
  const store = new EncryptedFileStore(path, passphraseSource({ env: {}, prompter: noPrompt, canPrompt: false }), 'tokens.enc', cache);
  const zeroed = (key: Buffer) => key.equals(Buffer.alloc(32));
  return { store, lent, path, zeroed };
}

describe('token lock and the timeout end the session for running processes', () => {
  const alpha = { namespace: 'bearer', name: 'alpha' };
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { quickTokenFileUnder: PASSPHRASE });
    await seedTokens(sb.env.XDG_DATA_HOME!, PASSPHRASE, [plainToken('bearer', 'alpha', SECRET)]);
  });
  afterEach(async () => {
    await stopAgents(sb);
    await sb.cleanup();
  });

  it('a store that took the key from the session zeroes it at the timeout, and then needs a passphrase and writes nothing', async () => {
    await unlock(sb, PASSPHRASE, '3s');
    const { store, lent, path, zeroed } = lendingStore(sb);
    expect((await store.get(alpha))?.secret.token).toBe(SECRET);
    expect(lent).toHaveLength(1);
    expect(zeroed(lent[0]!)).toBe(false);
    await until('the key to be zeroed', () => zeroed(lent[0]!));
    await expect(store.get(alpha)).rejects.toThrow(
      'the unlock session ended: a passphrase is needed for the encrypted token file tokens.enc, and there is no terminal to ask for it',
    );
    const before = await readFile(path);
    const late = { namespace: 'bearer', name: 'late', type: 'bearer' as const, createdAt: 'x', updatedAt: 'x', details: {} };
    await expect(store.put({ metadata: late, secret: { token: 'v' } })).rejects.toThrow('the unlock session ended');
    expect((await readFile(path)).equals(before)).toBe(true);
  });

  it('unlocking again keeps the lent key; a passphrase change replaces it; token lock zeroes it', async () => {
    await unlock(sb, PASSPHRASE);
    const { store, lent, zeroed } = lendingStore(sb);
    expect((await store.get(alpha))?.secret.token).toBe(SECRET);
    await unlock(sb, PASSPHRASE, '20m');
    await sleep(300);
    expect(zeroed(lent[0]!)).toBe(false);

    const change = await sb.run(['token', 'passphrase'], { env: { MCP_CLI_ENCRYPTION_KEY: PASSPHRASE, MCP_CLI_NEW_ENCRYPTION_KEY: `${PASSPHRASE}-2` } });
    expect(change.stderr).toContain('The unlock session now holds the new key.');
    await until('the old key to be zeroed', () => zeroed(lent[0]!));
    // The file's new version: the session lends its new key, with no passphrase.
    expect((await store.get(alpha))?.secret.token).toBe(SECRET);
    expect(lent).toHaveLength(2);

    expect((await sb.run(['token', 'lock'])).code).toBe(0);
    await until('the new key to be zeroed', () => zeroed(lent[1]!));
    await expect(store.get(alpha)).rejects.toThrow('the unlock session ended');
  });

  describe('a run bridge to an OAuth server', () => {
    let servers: OAuthServers;
    let sb: Sandbox;
    let tokenFile: string;
    const HEADLESS = { BROWSER: undefined, MCP_CLI_BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };

    beforeAll(async () => {
      // Tokens live 2 s: every request refreshes, and each refresh rewrites the token file.
      servers = await startOAuthServers({ accessTokenTtl: 2 });
      sb = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: {} } }, { inProcess: false });
      const login = await sb.run(['auth', 'login', 'notes']);
      expect(login.code, login.stderr).toBe(0);
      tokenFile = join(sb.env.XDG_DATA_HOME!, 'mcp-cli', 'tokens.enc');
    });
    afterAll(async () => {
      await stopAgents(sb);
      await servers?.close();
      await sb?.cleanup();
    });

    it('after token lock: no refresh, no write, a JSON-RPC error naming token unlock; unlocked again, it goes on; exit 4', async () => {
      await unlock(sb, 'correct horse battery staple');
      const run = await connectThroughRun(sb, 'notes', { env: { ...noKey, ...HEADLESS } });
      const whoami = () => run.client.callTool({ name: 'whoami', arguments: { greeting: 'hi' } });
      try {
        // While unlocked, the bridge refreshes and stores the rotated tokens with the session's key.
        const written = await readFile(tokenFile);
        const refreshes = servers.counters.refreshGrant;
        await whoami();
        expect(servers.counters.refreshGrant).toBeGreaterThan(refreshes);
        expect((await readFile(tokenFile)).equals(written)).toBe(false);

        const lock = await sb.run(['token', 'lock']);
        expect(lock.stderr).toContain('Locked the encrypted token file; the unlock agent has stopped, and running mcp-cli processes let go of the key');
        await until('the agent to exit', async () => (await agentsOf(sb.home)).length === 0);
        await sleep(200);
        const locked = await readFile(tokenFile);
        const refreshesLocked = servers.counters.refreshGrant;
        for (let i = 0; i < 2; i++) {
          const failed = await whoami().catch((error: unknown) => error);
          expect(failed).toBeInstanceOf(ProtocolError);
          expect((failed as ProtocolError).message).toContain('the unlock session ended: a passphrase is needed for the encrypted token file');
          expect((failed as ProtocolError).message).toContain('run mcp-cli token unlock');
        }
        expect(servers.counters.refreshGrant).toBe(refreshesLocked);
        expect((await readFile(tokenFile)).equals(locked)).toBe(true);
        expect(run.stderr()).toContain('the unlock session ended');

        // Unlocked again: the same bridge goes on, without a restart.
        await unlock(sb, 'correct horse battery staple');
        await whoami();
        expect(servers.counters.refreshGrant).toBeGreaterThan(refreshesLocked);

        await sb.run(['token', 'lock']);
        await sleep(200);
        await whoami().catch(() => undefined);
      } finally {
        await run.close();
      }
      expect((await run.exited).code).toBe(4);
      expect(existsSync(tokenFile)).toBe(true);
    });
  });
});

describe('exec itself', () => {
  it('starts, with the session, the program that gets the token; lock does not stop the program', async () => {
    const sb = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { quickTokenFileUnder: PASSPHRASE });
    try {
      await seedTokens(sb.env.XDG_DATA_HOME!, PASSPHRASE, [plainToken('bearer', 'alpha', SECRET)]);
      await unlock(sb, PASSPHRASE);
      const marker = join(sb.home, 'lock-seen');
      const child = spawn(
        process.execPath,
        [
          '--',
          CLI,
          'exec',
          '--env',
          'KEY=${TOKEN:bearer:alpha}',
          '--',
          'sh',
          '-c',
          `echo ready; while [ ! -e ${quote(marker)} ]; do sleep 0.1; done; echo "still=$KEY"`,
        ],
        { cwd: sb.home, env: { ...sb.env, MCP_CLI_ENCRYPTION_KEY: undefined } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await until('the program to start', () => out === 'ready\n');
      expect((await sb.run(['token', 'lock'])).code).toBe(0);
      await sleep(200);
      await writeFile(marker, '');
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      // The program keeps what it was given; mcp-cli still masks it.
      expect(out).toBe('ready\nstill=<redacted>\n');
    } finally {
      await stopAgents(sb);
      await sb.cleanup();
    }
  });
});
