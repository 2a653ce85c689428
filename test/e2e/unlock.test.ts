// Unlock sessions: `token unlock` asks once, later commands need neither a passphrase nor a
// variable nor a terminal, `token lock` and the timeout end it; the key lives only in the
// agent's memory; an agent directory that is not private to the user is never used.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainToken, seedTokens } from '../helpers/seed-store.js';
import { CLI, createSandbox, type Sandbox } from '../helpers/cli.js';
import { runInTerminal } from '../helpers/tty.js';

// Made up at run time: a literal would be found in the test runner's own transformed copy of this file.
const PASSPHRASE = `SENTINEL-passphrase-${randomBytes(8).toString('hex')}`;
const SECRET = 'SENTINEL-unlock-value-9c02';
const DECRYPT = fileURLToPath(new URL('../helpers/decrypt-tokens-file.mjs', import.meta.url));

let sb: Sandbox;
let runtime: string;
let agentDir: string;
let socketPath: string;
let tokenFile: string;
const noKey = { MCP_CLI_ENCRYPTION_KEY: undefined };

beforeEach(async () => {
  sb = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { quickTokenFileUnder: PASSPHRASE });
  runtime = join(sb.home, 'run');
  await mkdir(runtime, { mode: 0o700 });
  sb.env.XDG_RUNTIME_DIR = runtime;
  agentDir = join(runtime, 'mcp-cli');
  socketPath = join(agentDir, 'agent.sock');
  tokenFile = join(sb.env.XDG_DATA_HOME!, 'mcp-cli', 'tokens.enc');
  await seedTokens(sb.env.XDG_DATA_HOME!, PASSPHRASE, [plainToken('bearer', 'alpha', `${SECRET}-alpha`), plainToken('bearer', 'beta', `${SECRET}-beta`)]);
});
afterEach(async () => {
  await sb.run(['token', 'lock']);
  const pid = await agentPid();
  if (pid !== undefined) process.kill(pid, 'SIGKILL');
  await sb.cleanup();
});

/** The agent serving this sandbox: the process whose command line names its socket. */
async function agentPid(): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('__unlock-agent') && cmdline.includes(socketPath)) return Number(entry);
  }
  return undefined;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting: ${what}`);
}

async function unlockWithVariable(timeout = '10m') {
  const r = await sb.run(['token', 'unlock', '--timeout', timeout], { env: { MCP_CLI_ENCRYPTION_KEY: PASSPHRASE } });
  expect(r.code, r.stderr).toBe(0);
  return r;
}

async function expectLocked(): Promise<void> {
  const r = await sb.run(['token', 'get', 'alpha', '--show-value'], { env: noKey });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('a passphrase is needed for the encrypted token file');
  expect(r.stdout).toBe('');
}

describe('token unlock', () => {
  it('asks the passphrase once at a real terminal; later commands need no variable and no terminal; token lock ends it', async () => {
    await expectLocked();
    const r = await runInTerminal(
      ['token', 'unlock', '--timeout', '10m'],
      [{ after: 'Passphrase for ~/.local/share/mcp-cli/tokens.enc: ', type: `${PASSPHRASE}\r` }],
      {
        env: { ...sb.env, ...noKey },
        cwd: sb.home,
      },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Unlocked ~\/\.local\/share\/mcp-cli\/tokens\.enc until \d{4}-\d\d-\d\dT[\d:.]+Z \(10m\)/);
    expect(r.stdout).not.toContain(PASSPHRASE);

    expect((await sb.run(['token', 'get', 'alpha', '--show-value'], { env: noKey })).stdout).toBe(`${SECRET}-alpha\n`);
    expect((await sb.run(['token', 'set', 'gamma', '--value', '-'], { env: noKey, input: `${SECRET}-gamma` })).code).toBe(0);
    const list = await sb.run(['token', 'list', '--json'], { env: noKey });
    expect((JSON.parse(list.stdout) as { name: string }[]).map((t) => t.name)).toEqual(['alpha', 'beta', 'gamma']);
    const backends = JSON.parse((await sb.run(['token', 'backends', '--json'], { env: noKey })).stdout) as {
      backends: { name: string; unlockedUntil: string | null }[];
    };
    expect(backends.backends.find((b) => b.name === 'encrypted')!.unlockedUntil).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(backends.backends.find((b) => b.name === 'vault')!.unlockedUntil).toBeNull();

    expect((await stat(agentDir)).mode & 0o777).toBe(0o700);
    const socket = await lstat(socketPath);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);

    const lock = await sb.run(['token', 'lock']);
    expect(lock.code, lock.stderr).toBe(0);
    expect(lock.stderr).toContain('Locked the encrypted token file; the unlock agent has stopped');
    await expectLocked();
    await until('the agent to exit', async () => (await agentPid()) === undefined);
    expect((await sb.run(['token', 'lock'])).stderr).toContain('Nothing was unlocked.');
  });

  it('takes MCP_CLI_ENCRYPTION_KEY instead of a prompt, and ends by itself at the timeout', async () => {
    const r = await unlockWithVariable('1s');
    expect(r.stderr).toContain('(1s)');
    await until('the agent to exit at its timeout', async () => (await agentPid()) === undefined);
    await expectLocked();
  });

  it('follows a passphrase change: the session holds the new key, which the old copy of the file does not take', async () => {
    await unlockWithVariable();
    const change = await sb.run(['token', 'passphrase'], { env: { MCP_CLI_ENCRYPTION_KEY: PASSPHRASE, MCP_CLI_NEW_ENCRYPTION_KEY: 'the next one' } });
    expect(change.code, change.stderr).toBe(0);
    expect(change.stderr).toContain('The unlock session now holds the new key.');
    expect((await sb.run(['token', 'get', 'beta', '--show-value'], { env: noKey })).stdout).toBe(`${SECRET}-beta\n`);
  });

  it("keeps the key out of every file, and out of the agent's command line and environment", async () => {
    const started = Date.now() - 1000;
    const dataKey = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [DECRYPT, tokenFile, '--data-key'], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out.trim()));
      child.stdin.end(PASSPHRASE);
    });
    expect(dataKey).toMatch(/^[0-9a-f]{64}$/);
    const outputs: string[] = [];
    for (const args of [
      ['token', 'unlock'],
      ['token', 'get', 'alpha', '--show-value'],
      ['token', 'list'],
      ['token', 'backends'],
    ]) {
      const r = await sb.run(args, { env: args[1] === 'unlock' ? { MCP_CLI_ENCRYPTION_KEY: PASSPHRASE } : noKey });
      expect(r.code, r.stderr).toBe(0);
      outputs.push(r.stdout + r.stderr);
    }
    const key = Buffer.from(dataKey, 'hex');
    const needles = [Buffer.from(PASSPHRASE), key, Buffer.from(dataKey), Buffer.from(key.toString('base64'))];
    for (const output of outputs) for (const needle of needles) expect(output.includes(needle.toString('latin1'))).toBe(false);

    const pid = await agentPid();
    expect(pid).toBeDefined();
    const cmdline = await readFile(`/proc/${pid}/cmdline`);
    const environ = await readFile(`/proc/${pid}/environ`);
    for (const needle of needles) {
      expect(cmdline.includes(needle)).toBe(false);
      expect(environ.includes(needle)).toBe(false);
    }
    expect(environ.toString()).not.toContain('MCP_CLI_ENCRYPTION_KEY');
    // Started as `node -- cli.js`: Node takes none of the agent's arguments for an option of its own.
    expect(cmdline.toString().split('\0').slice(0, 5)).toEqual([process.execPath, '--', CLI, '__unlock-agent', socketPath]);

    // Everything in the sandbox, and what was written to the temporary directory since the test began
    // (the rest of it is other programs' files, a clone's node_modules among them).
    const files = [...(await filesUnder(sb.home)), ...(await filesUnder(tmpdir(), 3, started))];
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const content = await readFile(file).catch(() => Buffer.alloc(0));
      for (const needle of needles) expect(content.includes(needle), `${file} holds a secret`).toBe(false);
    }
  });
});

/** Files under `dir` smaller than 20 MiB, `depth` levels down; with `changedSince`, only those changed since then. */
async function filesUnder(dir: string, depth = 10, changedSince = 0): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth > 0) found.push(...(await filesUnder(path, depth - 1, changedSince)));
    else if (entry.isFile()) {
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined && info.size < 20 * 1024 * 1024 && info.mtimeMs >= changedSince) found.push(path);
    }
  }
  return found;
}

describe('an agent directory that is not private to the user', () => {
  let impostor: Server | undefined;
  let connections = 0;
  afterEach(() => impostor?.close());

  /** A process pretending to be the agent: it answers every request with a key of its choosing. */
  async function pretend(dir: string): Promise<void> {
    connections = 0;
    impostor = createServer((socket) => {
      connections++;
      socket.end(Buffer.concat([Buffer.from('{"v":1,"ok":true,"bytes":32}\n'), Buffer.alloc(32, 7)]));
    });
    await new Promise<void>((resolve) => impostor!.listen(join(dir, 'agent.sock'), resolve));
    await chmod(join(dir, 'agent.sock'), 0o600);
  }

  async function expectRefused(why: string): Promise<void> {
    const get = await sb.run(['token', 'get', 'alpha', '--show-value'], { env: noKey });
    expect(get.code).toBe(1);
    expect(get.stderr).toContain(`ignoring the unlock agent at ${socketPath}: ${why}`);
    expect(get.stdout).toBe('');
    const unlock = await sb.run(['token', 'unlock'], { env: { MCP_CLI_ENCRYPTION_KEY: PASSPHRASE } });
    expect(unlock.code).toBe(1);
    expect(unlock.stderr).toContain(`refusing to use the unlock agent directory ~/run/mcp-cli: ${why}`);
    expect(connections).toBe(0);
  }

  it('is refused when its mode lets others in', async () => {
    await mkdir(agentDir, { mode: 0o700 });
    await chmod(agentDir, 0o755);
    await pretend(agentDir);
    await expectRefused('its mode is 0755, not 0700');
  });

  it('is refused when it is a symbolic link, even to a private directory', async () => {
    const elsewhere = join(sb.home, 'elsewhere');
    await mkdir(elsewhere, { mode: 0o700 });
    await pretend(elsewhere);
    await symlink(elsewhere, agentDir);
    await expectRefused('it is a symbolic link');
  });

  it.runIf(process.getuid?.() === 0)('is refused when another user owns it, and another user cannot reach a real agent', async () => {
    await mkdir(agentDir, { mode: 0o700 });
    await pretend(agentDir);
    await chown(agentDir, 65534, 65534);
    await expectRefused('it belongs to uid 65534, not to this user (uid 0)');
    impostor!.close();
    impostor = undefined;
    await rm(agentDir, { recursive: true });

    await unlockWithVariable();
    // Everything above the agent's own directory open to all: only its 0700 directory stands in the way.
    for (const dir of [sb.home, runtime]) await chmod(dir, 0o755);
    const attempt = await new Promise<string>((resolve) => {
      const probe = `require('net').connect(${JSON.stringify(socketPath)}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
      const child = spawn(process.execPath, ['-e', probe], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out.trim()));
    });
    expect(attempt).toBe('EACCES');
  });
});
