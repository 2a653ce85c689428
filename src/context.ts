import type { Readable, Writable } from 'node:stream';
import { isatty } from 'node:tty';
import type { Env } from './paths.js';
import type { Prompter } from './io/prompter.js';
import { TtyPrompter } from './io/tty-prompter.js';

/** Options that apply to every command. */
export interface GlobalOptions {
  tokenBackend?: string;
  config?: string;
  /** False: never use `./server_config.json` of the working directory (`mcp-cli run`). */
  workingDirectoryConfig?: boolean;
}

/** Everything a command may touch of the outside world. Tests pass buffers and a fixed clock. */
export interface Ctx {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Env;
  cwd: string;
  platform: NodeJS.Platform;
  now(): Date;
  /** Whether each stream is a terminal. */
  tty: { stdin: boolean; stdout: boolean; stderr: boolean };
  prompter: Prompter;
  globals: GlobalOptions;
}

/** A prompt can be shown only when both the question and the answer go through a terminal. */
export function canPrompt(ctx: Ctx): boolean {
  return ctx.tty.stdin && ctx.tty.stderr;
}

// process.stdin is created on first access, which costs milliseconds; most commands never read it.
export function createProcessContext(globals: GlobalOptions): Ctx {
  let prompter: Prompter | undefined;
  return {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    platform: process.platform,
    now: () => new Date(),
    tty: { stdin: isatty(0), stdout: !!process.stdout.isTTY, stderr: !!process.stderr.isTTY },
    get prompter() {
      return (prompter ??= new TtyPrompter(process.stdin, process.stderr));
    },
    globals,
  };
}
