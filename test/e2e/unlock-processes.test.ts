// An unlock session and the processes around it: a program that mcp-cli starts (exec's program,
// a stdio server) gets the tokens it was given and not the session.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startedByMcpCli, STARTED_BY } from '../../src/agent/started-by.js';
import { CLI, createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';

const PASSPHRASE = `SENTINEL-passphrase-${randomBytes(8).toString('hex')}`;
const SECRET = 'SENTINEL-unlock-processes-7a31';
const noKey = { MCP_CLI_ENCRYPTION_KEY: undefined };
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** `mcp-cli` as a shell command line, for programs that run it themselves. */
const MCP_CLI = `${quote(process.execPath)} -- ${quote(CLI)}`;

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
    sb = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', XDG_RUNTIME_DIR: undefined });
    for (const name of ['alpha', 'beta'])
      expect((await sb.run(['token', 'set', name, '--value', `${SECRET}-${name}`], { env: { MCP_CLI_ENCRYPTION_KEY: PASSPHRASE } })).code).toBe(0);
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
