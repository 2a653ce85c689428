import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createSandbox, type Sandbox } from '../helpers/cli.js';
import { createQuickTokenFile } from '../helpers/seed-store.js';
import { sha256 } from '../helpers/mcp-servers.js';

// `mcp-cli exec`: any program, with variables whose values come from the token store.
const PROBE = fileURLToPath(new URL('../fixtures/exec-probe.mjs', import.meta.url));
const API_KEY = 'exec-SENTINEL-api-5e1f';
const PASSWORD = 'exec-SENTINEL-pw-93aa';
const PASSPHRASE = 'exec-test-passphrase';

function runNode(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: sandboxEnv });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}
let sandboxEnv: Record<string, string | undefined> = {};

describe('mcp-cli exec', () => {
  let sandbox: Sandbox;
  let envFile: string;
  const probe = (...args: string[]) => ['--', process.execPath, PROBE, ...args];

  beforeAll(async () => {
    sandbox = await createSandbox({
      MCP_CLI_ENCRYPTION_KEY: PASSPHRASE,
      MCP_CLI_TOKEN_BACKEND: 'encrypted',
      VAULT_TOKEN: 'hvs.exec-SENTINEL-vault',
      INHERITED_SETTING: 'inherited',
    });
    await createQuickTokenFile(sandbox.env.XDG_DATA_HOME!, PASSPHRASE);
    expect((await sandbox.run(['token', 'set', 'openai', '--type', 'api-key', '--value', '-'], { input: API_KEY })).code).toBe(0);
    expect((await sandbox.run(['token', 'set', 'corp', '--type', 'basic', '--username', 'alice', '--value', '-'], { input: PASSWORD })).code).toBe(0);
    sandboxEnv = sandbox.env;
    envFile = join(sandbox.home, 'app.env');
    await writeFile(
      envFile,
      [
        '# the app',
        'export OPENAI_API_KEY=${TOKEN:api-key:openai}',
        'CORP_USER="${TOKEN:generic:corp:username}"',
        'CORP_PASSWORD=${TOKEN:generic:corp:password}   # a comment',
        "LITERAL='${TOKEN:api-key:openai}'",
        'GREETING="hello\\nworld"',
        'WHERE=${HOME}/data',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await sandbox.cleanup();
  });

  it("the program sees the resolved values; its stdout and stderr are masked; mcp-cli's own credentials stay behind", async () => {
    const r = await sandbox.run(['exec', '--env-file', envFile, ...probe('report', 'OPENAI_API_KEY', 'CORP_PASSWORD')]);
    expect(r.code, r.stderr).toBe(0);
    const [json, raw] = r.stdout.split('\n');
    const report = JSON.parse(json!) as { digests: Record<string, string | null>; names: string[] };
    expect(report.digests).toEqual({ OPENAI_API_KEY: sha256(API_KEY), CORP_PASSWORD: sha256(PASSWORD) });
    expect(report.names).toEqual(expect.arrayContaining(['INHERITED_SETTING', 'HOME', 'PATH', 'CORP_USER', 'LITERAL', 'GREETING', 'WHERE']));
    expect(report.names).not.toContain('MCP_CLI_ENCRYPTION_KEY');
    expect(report.names).not.toContain('VAULT_TOKEN');
    expect(raw).toBe('raw: <redacted>');
    expect(r.stderr).toBe('log: <redacted>\n');
    expect(r.stdout + r.stderr).not.toContain('SENTINEL');

    const shown = await sandbox.run(['exec', '--env-file', envFile, ...probe('show', 'CORP_USER', 'LITERAL', 'GREETING', 'WHERE', 'INHERITED_SETTING')]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(
      [
        'CORP_USER="alice"',
        'LITERAL="${TOKEN:api-key:openai}"',
        'GREETING="hello\\nworld"',
        `WHERE=${JSON.stringify(`${sandbox.home}/data`)}`,
        'INHERITED_SETTING="inherited"',
        '',
      ].join('\n'),
    );
  });

  it('--env wins over the env file; --no-masking relays the output untouched', async () => {
    const r = await sandbox.run([
      'exec',
      '--env-file',
      envFile,
      '--env',
      'CORP_USER=bob',
      '--env',
      'EXTRA=${TOKEN:generic:corp:basic}',
      ...probe('show', 'CORP_USER', 'EXTRA'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    // The Basic value is a secret too, so it is masked when the program prints it.
    expect(r.stdout).toBe('CORP_USER="bob"\nEXTRA="<redacted>"\n');
    const unmasked = await sandbox.run(['exec', '--no-masking', '--env', 'KEY=${TOKEN:api-key:openai}', ...probe('report', 'KEY')]);
    expect(unmasked.code).toBe(0);
    expect(unmasked.stdout).toContain(`raw: ${API_KEY}\n`);
    expect(unmasked.stderr).toBe(`log: ${API_KEY}\n`);
  });

  it("masks binary output byte for byte, and the program reads mcp-cli's stdin", async () => {
    const child = spawn(process.execPath, [CLI, 'exec', '--env', 'KEY=${TOKEN:api-key:openai}', ...probe('binary', 'KEY')], {
      cwd: sandbox.home,
      env: sandbox.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    expect(await new Promise((resolve) => child.once('close', resolve))).toBe(0);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    expect(Buffer.concat(out)).toEqual(Buffer.concat([all, Buffer.from('<redacted>'), all]));

    const cat = await sandbox.run(['exec', '--env', 'KEY=${TOKEN:api-key:openai}', '--', 'sh', '-c', 'cat; echo " $KEY"'], { input: 'from stdin' });
    expect(cat.code, cat.stderr).toBe(0);
    expect(cat.stdout).toBe('from stdin <redacted>\n');
  });

  it('passes the exit code on, and a signal both ways', async () => {
    expect((await sandbox.run(['exec', ...probe('exit', '5')])).code).toBe(5);

    const marker = join(sandbox.home, 'exec-sigterm');
    const waiting = spawn(process.execPath, [CLI, 'exec', '--env', 'KEY=${TOKEN:api-key:openai}', ...probe('wait', marker)], {
      cwd: sandbox.home,
      env: sandbox.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    waiting.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => out, { timeout: 15_000 }).toBe('ready\n');
    waiting.kill('SIGTERM');
    expect(await new Promise((resolve) => waiting.once('exit', (code, signal) => resolve({ code, signal })))).toEqual({ code: 0, signal: null });
    expect(await readFile(marker, 'utf8')).toBe('SIGTERM');

    const hanging = spawn(process.execPath, [CLI, 'exec', ...probe('hang')], { cwd: sandbox.home, env: sandbox.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let ready = '';
    hanging.stdout.on('data', (d: Buffer) => (ready += d.toString()));
    await expect.poll(() => ready, { timeout: 15_000 }).toBe('ready\n');
    hanging.kill('SIGHUP');
    expect(await new Promise((resolve) => hanging.once('exit', (code, signal) => resolve({ code, signal })))).toEqual({ code: 128 + 1, signal: null });
  });

  it('a value names an earlier line as dotenv does (Y=${X} after X="a b"); a secret it carries is masked; a credential variable stays refused', async () => {
    const chained = join(sandbox.home, 'chained.env');
    await writeFile(chained, ['X="a b"', 'Y=${X}', 'KEY=${TOKEN:api-key:openai}', 'AUTH="Bearer ${KEY}"', 'EXTENDED=${PATH}:/opt/bin', ''].join('\n'));
    const shown = await sandbox.run(['exec', '--env-file', chained, '--env', 'Z=${Y}!', ...probe('show', 'Y', 'Z', 'AUTH', 'EXTENDED')]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(['Y="a b"', 'Z="a b!"', 'AUTH="Bearer <redacted>"', `EXTENDED=${JSON.stringify(`${sandbox.env.PATH}:/opt/bin`)}`, ''].join('\n'));
    const report = await sandbox.run(['exec', '--env-file', chained, ...probe('report', 'AUTH')]);
    expect(JSON.parse(report.stdout.split('\n')[0]!).digests).toEqual({ AUTH: sha256(`Bearer ${API_KEY}`) });

    const credential = join(sandbox.home, 'credential.env');
    await writeFile(credential, 'VAULT_TOKEN=${TOKEN:api-key:openai}\nLEAK=${VAULT_TOKEN}\n');
    const refused = await sandbox.run(['exec', '--env-file', credential, ...probe('exit', '0')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("${VAULT_TOKEN} is mcp-cli's own credential");
    expect(refused.stdout + refused.stderr).not.toContain('SENTINEL');
  });

  it('a missing token exits 4 before the program starts', async () => {
    const marker = join(sandbox.home, 'should-not-exist');
    const r = await sandbox.run(['exec', '--env', 'KEY=${TOKEN:api-key:nope}', ...probe('touch', marker)]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('--env KEY: ${TOKEN:api-key:nope}: no such token (store it: mcp-cli token set nope --type api-key --namespace api-key)');
    expect(existsSync(marker)).toBe(false);

    const bad = join(sandbox.home, 'missing.env');
    await writeFile(bad, 'A=1\nB=${TOKEN:bearer:absent}\n');
    const fromFile = await sandbox.run(['exec', '--env-file', bad, ...probe('touch', marker)]);
    expect(fromFile.code).toBe(4);
    expect(fromFile.stderr).toContain(`B (${bad}:2): \${TOKEN:bearer:absent}: no such token`);
    expect(existsSync(marker)).toBe(false);

    const oauth = await sandbox.run(['exec', '--env', 'T=${TOKEN:oauth:notes}', ...probe('touch', marker)]);
    expect(oauth.code).toBe(1);
    expect(oauth.stderr).toContain('--env T: ${TOKEN:oauth:notes} refers to an OAuth login');
    expect(existsSync(marker)).toBe(false);
  });

  it('says exactly what is wrong with its arguments and files (exit 1), never quoting a value', async () => {
    const cases: [string[], RegExp][] = [
      [['exec', '--env', 'ghp_SENTINEL0token', ...probe('exit', '0')], /--env argument 1: expected NAME=VALUE/],
      [['exec', '--env', '9X=1', ...probe('exit', '0')], /--env argument 1: the name before "=" must be/],
      [['exec'], /error: no program to run/],
      [['exec', '--'], /error: no program to run/],
      [['exec', process.execPath, PROBE, 'exit', '0'], /error: put the program after --/],
      [['exec', '--env', 'KEY=${TOKEN:api-key', ...probe('exit', '0')], /--env KEY: malformed reference/],
    ];
    for (const [args, message] of cases) {
      const r = await sandbox.run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain('SENTINEL');
    }
    const broken = join(sandbox.home, 'broken.env');
    await writeFile(broken, 'OK=1\n# fine\nexport ghp_SENTINEL0token\n');
    const r = await sandbox.run(['exec', '--env-file', broken, ...probe('exit', '0')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${broken}:3: expected NAME=VALUE`);
    expect(r.stderr).not.toContain('SENTINEL');
  });

  it('an env file that cannot be read is named (exit 1), by mcp-cli and not by Node', async () => {
    const missing = join(sandbox.home, 'nope.env');
    // `node -- CLI`: Node takes nothing after "--" as its own option, so mcp-cli reads the arguments itself.
    const direct = await runNode(['--', CLI, 'exec', '--env-file', missing, ...probe('exit', '0')]);
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain(`error: cannot read the env file ${missing}: it does not exist`);
    // A directory cannot be read as a file (a file without read permission cannot be made unreadable to root).
    const directory = await runNode(['--', CLI, 'exec', '--env-file', sandbox.home, ...probe('exit', '0')]);
    expect(directory.code).toBe(1);
    expect(directory.stderr).toContain(`cannot read the env file ${sandbox.home}: it is a directory`);
    // The installed command, its npm shims and the other Node versions: test/exec/node-env-file.test.ts.
    const notFound = await sandbox.run(['exec', '--', join(sandbox.home, 'no-such-program')]);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toMatch(/cannot start .*no-such-program: not found/);
  });
});
