// Runs a command in this process, as the built binary would run it in its own: the same command
// table and commands (src/cli/program.ts), on buffers instead of the process's streams, with the
// environment and working directory given, no terminal, and no controlling terminal (the spawned
// runs are detached from one too). What only a process shows (signals, exit on a pipe, start-up,
// several processes at once, a terminal) stays with the spawning runner in cli.ts.
import { Readable, Writable } from 'node:stream';
import type { Io } from '../../src/context.js';
import { runCli } from '../../src/cli/program.js';
import { CLI, type CliResult, type RunOptions } from './cli.js';

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const noPrompts = {
  secret: async () => {
    throw new Error('no prompt without a terminal');
  },
  confirm: async () => {
    throw new Error('no prompt without a terminal');
  },
  ask: async () => {
    throw new Error('no prompt without a terminal');
  },
};

export async function runInProcess(
  args: string[],
  options: RunOptions & { env: Record<string, string | undefined>; cwd: string; home: string },
): Promise<CliResult> {
  const stdout = collector();
  const stderr = collector();
  const io: Io = {
    stdin: Readable.from(options.input !== undefined && options.input !== '' ? [Buffer.from(options.input)] : []),
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: options.env,
    home: options.home,
    cwd: options.cwd,
    platform: process.platform,
    now: () => new Date(),
    tty: { stdin: false, stdout: false, stderr: false, controlling: false },
    prompter: noPrompts,
    globals: {},
    self: { execPath: process.execPath, script: CLI },
  };
  const code = await runCli(args, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
