// `mcp-cli exec --env-file FILE`: Node.js takes an `--env-file` argument for its own wherever it
// stands, unless `--` comes before the script. The command npm installs starts Node with that `--`
// (its shebang, and the Windows shims npm makes from it); `node -- dist/cli.js` is as safe; and
// `node dist/cli.js`, where Node has already loaded the file, is refused before any secret is read.
// Run under this Node (20) and the newer ones found (test/helpers/node-versions.ts).
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI, createSandbox, type Sandbox } from '../helpers/cli.js';
import { plainToken, seedTokens } from '../helpers/seed-store.js';
import { otherNodes } from '../helpers/node-versions.js';
import { envFileRefusal, envFilesLoadedByNode, envFilesNodeTakes, LAUNCH_MARKER } from '../../src/cli/node-env-file.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const API_KEY = 'SENTINEL-node-env-file-key-41d7';
const NODES = [process.execPath, ...otherNodes()];

let sandbox: Sandbox;
let installed: string;
let marker: string;
let evil: string;
let missing: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` with `node`'s directory first on PATH, so that `#!/usr/bin/env -S node` finds that very Node. */
function runWith(node: string, command: string, args: string[]): Promise<Result> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(sandbox.env)) if (v !== undefined && k !== 'NODE_OPTIONS') env[k] = v;
  env.PATH = `${dirname(node)}${delimiter}${env.PATH ?? ''}`;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: sandbox.home, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// What the program prints: the file's ordinary variables, and the token it names (masked on the way out).
const SHOW = ['--', 'sh', '-c', 'printf "%s|%s|%s\\n" "$GREETING" "$NODE_OPTIONS" "$KEY"'];

beforeAll(async () => {
  expect(otherNodes().length, 'no Node.js 22 or later found: set MCP_CLI_TEST_NODES, or run scripts/setup.sh').toBeGreaterThan(0);
  sandbox = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: 'node-env-file-passphrase' });
  await seedTokens(sandbox.env.XDG_DATA_HOME!, 'node-env-file-passphrase', [plainToken('api-key', 'openai', API_KEY)]);

  // The package as npm installs it, from the packed tarball and npm's cache only: a lockfile of the
  // package's dependencies (taken from the repository's) spares npm the registry.
  const prefix = join(sandbox.home, 'installed');
  await mkdir(prefix);
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', prefix], { cwd: REPO, encoding: 'utf8' }).trim();
  const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const root = { name: 'install-check', dependencies: { 'mcp-cli': `file:${tarball}` } };
  const packages: Record<string, unknown> = {
    '': root,
    'node_modules/mcp-cli': { version: pkg.version, resolved: `file:${tarball}`, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && !entry.dev) packages[path] = entry;
  await writeFile(join(prefix, 'package.json'), JSON.stringify(root));
  await writeFile(join(prefix, 'package-lock.json'), JSON.stringify({ name: root.name, lockfileVersion: 3, requires: true, packages }));
  execFileSync('npm', ['install', '--prefix', prefix, join(prefix, tarball), '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: prefix,
    stdio: 'ignore',
  });
  installed = join(prefix, 'node_modules', '.bin', 'mcp-cli');

  // An env file from a repository: NODE_OPTIONS that would load code into any Node that reads the file.
  marker = join(sandbox.home, 'probe-ran');
  const probe = join(sandbox.home, 'probe.cjs');
  await writeFile(probe, `require('node:fs').appendFileSync(${JSON.stringify(marker)}, JSON.stringify(process.argv) + '\\n');\n`);
  evil = join(sandbox.home, 'evil.env');
  await writeFile(evil, `NODE_OPTIONS=--require=${probe}\nGREETING=from-the-file\nKEY=\${TOKEN:api-key:openai}\n`);
  missing = join(sandbox.home, 'missing.env');
}, 180_000);
afterAll(async () => {
  await sandbox?.cleanup();
});
beforeEach(async () => {
  await rm(marker, { force: true });
});

describe.each(NODES.map((node) => [execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(), node]))('under Node %s', (_version, node) => {
  const safeLaunches: [string, () => [string, string[]]][] = [
    ['the installed mcp-cli', () => [installed, []]],
    ['node -- dist/cli.js', () => [node, ['--', CLI]]],
  ];

  it('the installed command runs on the Node found on PATH', async () => {
    const r = await runWith(node, installed, ['exec', '--', 'node', '-p', 'process.version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(_version);
  });

  it.each(safeLaunches)('%s: a missing env file is mcp-cli’s own error (exit 1, naming the file)', async (_label, launch) => {
    const [command, before] = launch();
    for (const form of [['--env-file', missing], [`--env-file=${missing}`]]) {
      const r = await runWith(node, command, [...before, 'exec', ...form, ...SHOW]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toBe(`error: cannot read the env file ${missing}: it does not exist\n`);
      expect(r.stdout).toBe('');
    }
  });

  it.each(safeLaunches)('%s: NODE_OPTIONS in the env file loads nothing into mcp-cli; the program gets the file’s variables', async (_label, launch) => {
    const [command, before] = launch();
    for (const form of [['--env-file', evil], [`--env-file=${evil}`]]) {
      const r = await runWith(node, command, [...before, 'exec', ...form, ...SHOW]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`from-the-file|--require=${join(sandbox.home, 'probe.cjs')}|<redacted>\n`);
      expect(existsSync(marker), 'the probe ran inside mcp-cli').toBe(false);
    }
  });

  it('node dist/cli.js: Node has loaded the env file itself, so mcp-cli stops before reading any secret', async () => {
    for (const form of [['--env-file', evil], [`--env-file=${evil}`], ['--env-file-if-exists', evil]]) {
      const r = await runWith(node, node, [CLI, 'exec', ...form, ...SHOW]);
      expect(r.code).toBe(1);
      const { message, hint } = envFileRefusal([evil], 'linux');
      expect(r.stderr).toBe(`error: ${message}\nhint: ${hint}\n`);
      expect(r.stdout).toBe('');
      // That is why: Node ran the probe inside the process before mcp-cli's first line.
      expect(await readFile(marker, 'utf8')).toContain(CLI);
      await rm(marker);
    }
    // After "--" the arguments are the program's, for Node as for mcp-cli.
    const after = await runWith(node, node, [CLI, 'exec', '--env', 'GREETING=given', '--', 'sh', '-c', 'printf "%s\\n" "$GREETING"', '--env-file', evil]);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe('given\n');
    expect(existsSync(marker)).toBe(false);
  });
});

describe("npm's Windows and POSIX shims made from the shebang", () => {
  let shim: string;
  beforeAll(async () => {
    // npm makes these with its own cmd-shim (Windows, and Git Bash or Cygwin on it): the one bundled with this npm.
    const npmRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
    const cmdShim = createRequire(join(npmRoot, 'npm', 'package.json'))('cmd-shim') as (from: string, to: string) => Promise<void>;
    shim = join(sandbox.home, 'shims', 'mcp-cli');
    await cmdShim(join(dirname(installed), '..', 'mcp-cli', 'dist', 'cli.js'), shim);
  });

  it('.cmd and .ps1 start Node with the marker and "--" before the script', async () => {
    const cmd = await readFile(`${shim}.cmd`, 'utf8');
    expect(cmd).toContain(`"%_prog%" ${LAUNCH_MARKER} -- "%dp0%\\..\\installed\\node_modules\\mcp-cli\\dist\\cli.js" %*`);
    const ps1 = await readFile(`${shim}.ps1`, 'utf8');
    expect(ps1).toContain(`& "node$exe" ${LAUNCH_MARKER} -- "$basedir/../installed/node_modules/mcp-cli/dist/cli.js" $args`);
  });

  it('the sh shim, run for real: a missing env file is named, and the env file loads nothing into mcp-cli', async () => {
    const gone = await runWith(process.execPath, 'sh', [shim, 'exec', '--env-file', missing, ...SHOW]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`error: cannot read the env file ${missing}: it does not exist\n`);
    const r = await runWith(process.execPath, 'sh', [shim, 'exec', '--env-file', evil, ...SHOW]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^from-the-file\|--require=.*\|<redacted>\n$/);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('telling whether Node has loaded an env file', () => {
  const argv = (...args: string[]) => ['/usr/bin/node', '/opt/mcp-cli/dist/cli.js', ...args];

  it('takes the files as Node does: before the first bare "--", each --env-file… argument, with = or the next word', () => {
    expect(envFilesNodeTakes(['exec', '--env-file', 'a.env', '--env-file=b.env', '--env-file-if-exists', 'c.env', '--', 'p', '--env-file', 'd'])).toEqual([
      'a.env',
      'b.env',
      'c.env',
    ]);
    expect(envFilesNodeTakes(['exec', '--env', 'X=--env-file', '--', 'p'])).toEqual([]);
    expect(envFilesNodeTakes(['exec', '--env-file=x=y.env'])).toEqual(['x=y.env']);
    expect(envFilesNodeTakes(['exec', '--env-file'])).toEqual([]);
  });

  it('on Linux reads the command line; elsewhere trusts the marker that only the installed command passes', () => {
    const launch = { argv: argv('exec', '--env-file', 'a.env'), execArgv: [LAUNCH_MARKER] };
    const cmdline =
      (...words: string[]) =>
      () =>
        words;
    expect(envFilesLoadedByNode(launch, cmdline('node', LAUNCH_MARKER, '--', '/opt/mcp-cli/dist/cli.js', 'exec', '--env-file', 'a.env'))).toBeUndefined();
    // The marker typed by hand without "--": the command line tells the truth.
    expect(envFilesLoadedByNode(launch, cmdline('node', LAUNCH_MARKER, 'cli.js', 'exec', '--env-file', 'a.env'))).toEqual(['a.env']);
    const plain = { argv: argv('exec', '--env-file', 'a.env'), execArgv: [] };
    expect(envFilesLoadedByNode(plain, cmdline('node', '--', 'cli.js', 'exec', '--env-file', 'a.env'))).toBeUndefined();
    expect(envFilesLoadedByNode(plain, cmdline('node', 'cli.js', 'exec', '--env-file', 'a.env'))).toEqual(['a.env']);
    // An option's value that is "--" is not the end of Node's options.
    const titled = { argv: argv('exec', '--env-file', 'a.env'), execArgv: ['--title', '--'] };
    expect(envFilesLoadedByNode(titled, cmdline('node', '--title', '--', 'cli.js', 'exec', '--env-file', 'a.env'))).toEqual(['a.env']);
    // Without a command line to read (macOS, Windows): the marker, else refused.
    expect(envFilesLoadedByNode(launch, () => undefined)).toBeUndefined();
    expect(envFilesLoadedByNode(plain, () => undefined)).toEqual(['a.env']);
    // Nothing that looks like an env file: the command line is not even read.
    expect(envFilesLoadedByNode({ argv: argv('token', 'list'), execArgv: [] }, () => expect.fail('read the command line'))).toBeUndefined();
  });
});
