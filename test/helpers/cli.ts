import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LIBRARY_PACKAGES } from './programs.js';
import { createQuickTokenFile } from './seed-store.js';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
  /** Options for node itself, before the CLI's path (`--import`, `--cpu-prof`). */
  nodeArgs?: string[];
}

/**
 * A throw-away home with XDG directories inside it, and an environment that points there. It is the
 * account's home as the CLI sees it in the system's user database too (see accountDatabase), which
 * is what decides the user's own config and where approvals live.
 */
export interface Sandbox {
  home: string;
  env: Record<string, string | undefined>;
  run(args: string[], options?: RunOptions): Promise<CliResult>;
  /** Always a separate process of the built CLI, even in an in-process sandbox: for what only processes show. */
  spawn(args: string[], options?: RunOptions): Promise<CliResult>;
  cleanup(): Promise<void>;
}

/** Environment variables from the developer's machine that would change what the CLI does. */
const LEAKY = /^(MCP_CLI_|VAULT_|XDG_|DBUS_SESSION_BUS_ADDRESS$|BROWSER$|NO_COLOR$|FORCE_COLOR$|CLICOLOR|LD_PRELOAD$|NSS_WRAPPER_)/;

export function baseEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!LEAKY.test(k)) env[k] = v;
  return env;
}

/**
 * Runs the built CLI as a user would: a separate process, stdin piped (or closed), started as the
 * installed command starts it (`node [options] -- cli.js`: Node takes none of the CLI's arguments
 * for its own). It runs in a session of its own, without a controlling terminal, so that nothing
 * can prompt on the terminal the tests were started from.
 */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--', CLI, ...args], {
      env: options.env ?? baseEnv(),
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

function nssWrapperLibrary(): string {
  const dirs = ['/usr/lib', '/usr/lib64', ...(existsSync('/usr/lib') ? readdirSync('/usr/lib').map((d) => join('/usr/lib', d)) : [])];
  const found = dirs.map((d) => join(d, 'libnss_wrapper.so')).find((p) => existsSync(p));
  const pkg = LIBRARY_PACKAGES['libnss_wrapper.so'];
  if (!found)
    throw new Error(
      `the spawned CLI needs nss_wrapper to see the sandbox as its home: install the Debian package ${pkg} (sudo apt-get install ${pkg}, or bash scripts/setup.sh)`,
    );
  return found;
}

/** The variables of a sandbox's environment that make it the account's home (accountDatabase): a launcher that passes on only some variables passes these too. */
export const ACCOUNT_VARIABLES = ['LD_PRELOAD', 'NSS_WRAPPER_PASSWD', 'NSS_WRAPPER_GROUP'] as const;

/**
 * The variables that make the sandbox this account's home in the system's user database for every
 * process started with them: nss_wrapper (preloaded) answers getpwuid() from a copy of /etc/passwd
 * whose entry for this uid names the sandbox. mcp-cli finds the user's own config and the approvals
 * there, never from HOME, so a spawned CLI must not see the developer's real home.
 */
async function accountDatabase(home: string, dir: string): Promise<Record<(typeof ACCOUNT_VARIABLES)[number], string>> {
  const me = userInfo();
  const entry = `${me.username}:x:${me.uid}:${me.gid}:mcp-cli test:${home}:${me.shell ?? '/bin/sh'}`;
  const others = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .filter((line) => line !== '' && line.split(':')[2] !== String(me.uid));
  const passwd = join(dir, 'passwd');
  await writeFile(passwd, [...others, entry, ''].join('\n'));
  return { LD_PRELOAD: nssWrapperLibrary(), NSS_WRAPPER_PASSWD: passwd, NSS_WRAPPER_GROUP: '/etc/group' };
}

/** Where there is no nss_wrapper (macOS, Windows), a module loaded before the CLI gives os.userInfo() the sandbox as home instead. */
const ACCOUNT_HOME_MODULE = pathToFileURL(fileURLToPath(new URL('./account-home.mjs', import.meta.url))).href;
const NSS_WRAPPER = process.platform === 'linux';

/**
 * A sandbox whose `run` spawns the built CLI, or, with `inProcess`, runs the command in this process
 * (test/helpers/in-process.ts): the same commands and assertions, without a process start and a
 * key derivation per command; `spawn` always starts a process.
 *
 * `quickTokenFile` (the default when the sandbox sets MCP_CLI_ENCRYPTION_KEY): the encrypted file is
 * created first under that passphrase with a cheap key derivation (test/helpers/seed-store.ts), so
 * that no spawned command spends most of its time deriving the key; `false` for tests whose subject
 * is the file's creation. `quickTokenFileUnder`: the same under a passphrase the environment does
 * not give (one typed at a prompt, or given per command).
 */
export async function createSandbox(
  extraEnv: Record<string, string | undefined> = {},
  options: { inProcess?: boolean; quickTokenFile?: boolean; quickTokenFileUnder?: string } = {},
): Promise<Sandbox> {
  const home = await mkdtemp(join(tmpdir(), 'mcp-cli-test-'));
  const accounts = await mkdtemp(join(tmpdir(), 'mcp-cli-test-passwd-'));
  const env = {
    ...baseEnv(),
    ...(NSS_WRAPPER ? await accountDatabase(home, accounts) : { TEST_ACCOUNT_HOME: home }),
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    ...extraEnv,
  };
  const passphrase = options.quickTokenFileUnder ?? extraEnv.MCP_CLI_ENCRYPTION_KEY;
  if (options.quickTokenFile ?? passphrase !== undefined) {
    if (passphrase === undefined) throw new Error('quickTokenFile needs MCP_CLI_ENCRYPTION_KEY in the sandbox env, or quickTokenFileUnder');
    await createQuickTokenFile(env.XDG_DATA_HOME, passphrase);
  }
  const spawned = (args: string[], runOptions: RunOptions = {}) =>
    runCli(args, {
      cwd: home,
      ...runOptions,
      env: { ...env, ...runOptions.env },
      nodeArgs: [...(NSS_WRAPPER ? [] : ['--import', ACCOUNT_HOME_MODULE]), ...(runOptions.nodeArgs ?? [])],
    });
  return {
    home,
    env,
    run: async (args, runOptions = {}) => {
      if (!options.inProcess || runOptions.nodeArgs) return spawned(args, runOptions);
      const { runInProcess } = await import('./in-process.js');
      return runInProcess(args, { cwd: home, ...runOptions, env: { ...env, ...runOptions.env }, home });
    },
    spawn: spawned,
    cleanup: async () => {
      await rm(home, { recursive: true, force: true });
      await rm(accounts, { recursive: true, force: true });
    },
  };
}

/** The user's own server_config.json in a sandbox (in its config directory): trusted without approval. */
export function ownConfigPath(home: string): string {
  return join(home, '.config', 'mcp-cli', 'server_config.json');
}

/** Writes the sandbox user's own server_config.json (JSON text as given, or an object). */
export async function writeOwnConfig(home: string, config: object | string): Promise<string> {
  const path = ownConfigPath(home);
  await mkdir(join(home, '.config', 'mcp-cli'), { recursive: true });
  await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return path;
}
