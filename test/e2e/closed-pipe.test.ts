// A reader that closes its end of the pipe early (`mcp-cli ... | head`): the CLI ends quietly, with
// no EPIPE stack trace, and what it was doing is done whole. Real pipes: the CLI is spawned with its
// stdout (and stderr) on a pipe whose reading end this test closes.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createSandbox, type Sandbox } from '../helpers/cli.js';
import { sandboxStore } from '../helpers/seed-store.js';

const PASSPHRASE = 'closed-pipe-passphrase';
const SECRET = 'SENTINEL-closed-pipe';
const TOKENS = 6000;

let sandbox: Sandbox;
beforeAll(async () => {
  // Checks afterwards run in-process; the commands under test are always spawned with real pipes.
  sandbox = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: PASSPHRASE }, { inProcess: true });
  const now = new Date().toISOString();
  await sandboxStore(sandbox.env.XDG_DATA_HOME!, PASSPHRASE).putMany(
    Array.from({ length: TOKENS }, (_, i) => ({
      metadata: { name: `token-${String(i).padStart(4, '0')}`, namespace: 'bearer', type: 'bearer' as const, createdAt: now, updatedAt: now, details: {} },
      secret: { token: `${SECRET}-${i}` },
    })),
  );
});
afterAll(() => sandbox.cleanup());

interface Closed {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the reader got before it closed. */
  read: string;
  stderr: string;
}

/**
 * Spawns the CLI with stdout on a pipe that this side closes once it has read `readBytes` (0: before
 * the CLI has written anything). With `stderrToo`, stderr's reader closes at the same time (`2>&1 | head`).
 */
function closingReader(args: string[], options: { readBytes: number; stderrToo?: boolean }): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: sandbox.home,
      env: sandbox.env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let read = '';
    let stderr = '';
    const close = () => {
      child.stdout.destroy();
      if (options.stderrToo) child.stderr.destroy();
    };
    if (options.readBytes === 0) close();
    else
      child.stdout.on('data', (d: Buffer) => {
        read += d.toString('utf8');
        if (read.length >= options.readBytes) close();
      });
    if (!options.stderrToo) child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, read, stderr });
    });
  });
}

describe('a closed pipe', () => {
  it('ends --help quietly: exit 0, no EPIPE, no stack trace', async () => {
    for (const args of [['--help'], ['token', '--help'], ['help', 'token', 'set']]) {
      const r = await closingReader(args, { readBytes: 0 });
      expect(r, args.join(' ')).toMatchObject({ code: 0, signal: null, stderr: '' });
    }
  });

  it('ends a long token list quietly once the reader has what it wants', async () => {
    const r = await closingReader(['token', 'list'], { readBytes: 1 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.read).toMatch(/^bearer\ttoken-0000\t/);
    // The reader stopped long before the end of the list.
    expect(r.read).not.toContain(`token-${TOKENS - 1}`);
  });

  it('ends token get --show-value quietly, its read recorded whole in the audit log', async () => {
    const r = await closingReader(['token', 'get', 'token-0042', '--show-value'], { readBytes: 0 });
    expect(r).toMatchObject({ code: 0, signal: null, stderr: '' });
    const audit = await sandbox.run(['token', 'audit', '--name', 'token-0042', '--json']);
    expect(audit.code, audit.stderr).toBe(0);
    expect((JSON.parse(audit.stdout) as { action: string }[]).map((e) => e.action)).toContain('read');
    expect((await sandbox.run(['token', 'audit', '--verify'])).code).toBe(0);
  });

  it('with stderr in the same pipe, a command still does all its work: the token it sets is stored whole', async () => {
    const r = await closingReader(['token', 'set', 'late', '--type', 'bearer', '--value', `${SECRET}-late`, '--json'], { readBytes: 0, stderrToo: true });
    expect(r).toMatchObject({ code: 0, signal: null });
    const get = await sandbox.run(['token', 'get', 'late', '--show-value']);
    expect(get).toMatchObject({ code: 0, stdout: `${SECRET}-late\n` });
    expect((await sandbox.run(['token', 'audit', '--verify'])).code).toBe(0);
  });

  it('an error still exits 1 when its reader has gone', async () => {
    const r = await closingReader(['token', 'get', 'no-such-token', '--show-value'], { readBytes: 0, stderrToo: true });
    expect(r).toMatchObject({ code: 1, signal: null });
  });
});
