import { spawn as nodeSpawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Transform, Writable } from 'node:stream';
import { CliError } from '../errors.js';

/** The signals `run` and `exec` pass on to the program they started. */
export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

/** Where signals come from: `process` in the CLI, an emitter in tests. */
export interface Signals {
  on(signal: ForwardedSignal, listener: () => void): unknown;
  off(signal: ForwardedSignal, listener: () => void): unknown;
}

export interface ChildSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

/** One output of the child: handed the parent's own descriptor, or relayed to a stream through a filter. */
export type OutputRelay = 'inherit' | { to: Writable; through?: () => Transform };

export interface ChildIo {
  /** `inherit`: the child reads mcp-cli's own stdin; a stream is piped into the child's (and its end closes it). */
  stdin: 'inherit' | Readable;
  stdout: OutputRelay;
  stderr: OutputRelay;
}

export interface ChildOptions {
  signals: Signals;
  /** Whether to pass this signal on; default all of them. */
  forward?: (signal: ForwardedSignal) => boolean;
  platform: NodeJS.Platform;
  /** How messages name what is started: `server 'notes' (command node)`, `node`. */
  label: string;
  /** Called once the child runs. */
  onSpawn?: (child: ChildProcess) => void;
}

const DRAIN_AFTER_EXIT_MS = 2000;

/** The exit status of a process as a shell reports it: its code, or 128 + the number of the signal that ended it. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? constants.signals[signal] : undefined;
  return 128 + (number ?? 0);
}

type Spawn = (
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd?: string; stdio: StdioOptions; windowsHide: boolean },
) => ChildProcess;

/** cross-spawn on Windows (it finds `npx.cmd` for `npx`, as MCP clients do), Node's own spawn elsewhere. */
async function spawnFor(platform: NodeJS.Platform): Promise<Spawn> {
  if (platform !== 'win32') return nodeSpawn as Spawn;
  const mod = await import('cross-spawn');
  return ((mod as { default?: Spawn }).default ?? (mod as unknown as Spawn)) as Spawn;
}

function describeSpawnError(label: string, error: NodeJS.ErrnoException): CliError {
  if (error.code === 'ENOENT') return new CliError(`cannot start ${label}: not found`, 1, 'check the command (and PATH)');
  if (error.code === 'EACCES') return new CliError(`cannot start ${label}: permission denied`, 1, 'check that the file is executable');
  return new CliError(`cannot start ${label}: ${error.code ?? error.message}`);
}

/** Resolves once everything written before it has left the stream (a pipe to the client included). */
function flushed(stream: Writable): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      stream.write('', () => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * Starts a program, relays its output (through a masking filter when asked), passes on SIGINT,
 * SIGTERM and SIGHUP, and resolves with its exit status once it has ended and its output is relayed.
 * A program that cannot be started is a CliError (exit 1).
 */
export async function runChild(spec: ChildSpec, io: ChildIo, options: ChildOptions): Promise<number> {
  const spawn = await spawnFor(options.platform);
  const mode = (relay: OutputRelay) => (relay === 'inherit' ? 'inherit' : 'pipe');
  const child = spawn(spec.command, spec.args, {
    env: spec.env,
    ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
    stdio: [io.stdin === 'inherit' ? 'inherit' : 'pipe', mode(io.stdout), mode(io.stderr)],
    windowsHide: true,
  });

  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(describeSpawnError(options.label, error)));
  });
  options.onSpawn?.(child);

  const forward = options.forward ?? (() => true);
  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = () => {
      if (forward(signal) && child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    options.signals.on(signal, handler);
    return { signal, handler };
  });

  const input = io.stdin === 'inherit' ? undefined : io.stdin;
  if (input && child.stdin) {
    // The program may exit without reading all of it, or close its stdin early: that is no error here.
    child.stdin.on('error', () => undefined);
    input.pipe(child.stdin);
  }

  const relays: Promise<void>[] = [];
  const relay = (from: Readable | null, to: OutputRelay) => {
    if (!from || to === 'inherit') return;
    const filter = to.through?.();
    const source = filter ? from.pipe(filter) : from;
    source.pipe(to.to, { end: false });
    relays.push(new Promise((resolve) => source.once('end', resolve).once('error', () => resolve())));
  };
  relay(child.stdout, io.stdout);
  relay(child.stderr, io.stderr);

  const status = await new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(exitStatus(code, signal))));
  for (const { signal, handler } of handlers) options.signals.off(signal, handler);
  if (input && child.stdin) {
    input.unpipe(child.stdin);
    // The program is gone: stop reading mcp-cli's stdin, so that nothing keeps mcp-cli running.
    input.destroy();
  }
  // Output still in the pipes is relayed; a grandchild that keeps them open does not keep mcp-cli waiting.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(relays), new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_AFTER_EXIT_MS)))]);
  clearTimeout(timer);
  child.stdout?.destroy();
  child.stderr?.destroy();
  for (const to of [io.stdout, io.stderr]) if (to !== 'inherit') await flushed(to.to);
  return status;
}
