import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** A throw-away HOME with XDG directories inside it, and an environment that points there. */
export interface Sandbox {
  home: string;
  env: Record<string, string | undefined>;
  run(args: string[], options?: RunOptions): Promise<CliResult>;
  /** Always a separate process of the built CLI, even in an in-process sandbox: for what only processes show. */
  spawn(args: string[], options?: RunOptions): Promise<CliResult>;
  cleanup(): Promise<void>;
}

/** Environment variables from the developer's machine that would change what the CLI does. */
const LEAKY = /^(MCP_CLI_|VAULT_|XDG_|DBUS_SESSION_BUS_ADDRESS$|BROWSER$|NO_COLOR$|FORCE_COLOR$|CLICOLOR)/;

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

/**
 * A sandbox whose `run` spawns the built CLI, or, with `inProcess`, runs the command in this process
 * (test/helpers/in-process.ts): the same commands and assertions, without a process start and a
 * key derivation per command.
 */
export async function createSandbox(extraEnv: Record<string, string | undefined> = {}, options: { inProcess?: boolean } = {}): Promise<Sandbox> {
  const home = await mkdtemp(join(tmpdir(), 'mcp-cli-test-'));
  const env = {
    ...baseEnv(),
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    ...extraEnv,
  };
  return {
    home,
    env,
    run: async (args, runOptions = {}) => {
      const merged = { cwd: home, ...runOptions, env: { ...env, ...runOptions.env } };
      if (!options.inProcess || runOptions.nodeArgs) return runCli(args, merged);
      const { runInProcess } = await import('./in-process.js');
      return runInProcess(args, merged);
    },
    spawn: (args, runOptions = {}) => runCli(args, { cwd: home, ...runOptions, env: { ...env, ...runOptions.env } }),
    cleanup: () => rm(home, { recursive: true, force: true }),
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
