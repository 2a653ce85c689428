import type { Readable, Writable } from 'node:stream';
import { isatty } from 'node:tty';
import type { ServerConfig } from './config/schema.js';
import { accountHome, type Env } from './paths.js';
import type { Prompter } from './io/prompter.js';
import type { Selection } from './stores/selection.js';
import type { SecretStore } from './stores/store.js';
import type { TokenManager } from './tokens/manager.js';
import { hasControllingTerminal, openControllingTerminal, TtyPrompter } from './io/tty-prompter.js';

/** Options that apply to every command. */
export interface GlobalOptions {
  tokenBackend?: string;
  config?: string;
  /** `-q`: no confirmations on stderr. */
  quiet?: boolean;
  /** False: never use `./server_config.json` of the working directory (`mcp-cli run`). */
  workingDirectoryConfig?: boolean;
  /**
   * True for `mcp-cli run`: its environment is what an MCP client's entry gives it, which a project
   * file can set, so no variable may decide where the token store is (docs/config.md, "Trust").
   */
  clientEnvironment?: boolean;
}

/** Everything a command may touch of the outside world. Tests pass buffers and a fixed clock. */
export interface Io {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Env;
  /** This account's home in the system's user database, never HOME: where the user's own config and the approvals are (paths.ts, accountHome). */
  readonly home: string;
  cwd: string;
  platform: NodeJS.Platform;
  now(): Date;
  /** Whether each stream is a terminal, and whether there is a controlling terminal (`/dev/tty`) at all. */
  tty: { stdin: boolean; stdout: boolean; stderr: boolean; readonly controlling: boolean };
  /** The width that tables fit on a terminal: `COLUMNS`, else the terminal's; undefined when unknown. */
  columns?: number;
  prompter: Prompter;
  globals: GlobalOptions;
  /** How to start this program again (the runtime and its entry script), for the unlock agent. */
  self: { execPath: string; script: string };
}

/** The token store as a command uses it: the backend, how it was chosen, and the audited manager over it. */
export interface OpenedStore {
  store: SecretStore;
  selection: Selection;
  manager: TokenManager;
}

/**
 * What a command runs with: its IO, and lazy accessors for what several parts of a command share,
 * each opened at most once (src/services/factory.ts), as the GitHub CLI's cmdutil.Factory.
 */
export interface Ctx extends Io {
  /** The token store: the backend selected, opened and audited on the first call; the same one afterwards. */
  store(): Promise<OpenedStore>;
  /** server_config.json: found, approved and validated on the first call (an error when there is none). */
  config(): Promise<ServerConfig>;
  /** The config when there is one that may be used; an unapproved file is passed over for the user's own. */
  configIfAny(): Promise<ServerConfig | undefined>;
}

/** A question can be asked only when both the question and the answer go through a terminal. */
export function canPrompt(ctx: Ctx): boolean {
  return ctx.tty.stdin && ctx.tty.stderr;
}

/**
 * A secret (a passphrase, a value) can also be asked on the controlling terminal when standard
 * input is a pipe, as gpg, ssh and sudo do: `echo value | mcp-cli token set x` asks the
 * passphrase there and reads the value from the pipe.
 */
export function canAskSecret(ctx: Ctx): boolean {
  return canPrompt(ctx) || ctx.tty.controlling;
}

/** `COLUMNS` when it is a width, else the terminal's own (undefined when stdout is not a terminal). */
export function terminalColumns(env: Env, terminal: number | undefined): number | undefined {
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return terminal && terminal > 0 ? terminal : undefined;
}

// process.stdin is created on first access, which costs milliseconds; most commands never read it.
export function processIo(globals: GlobalOptions): Io {
  let prompter: Prompter | undefined;
  let controlling: boolean | undefined;
  let home: string | undefined;
  const tty = { stdin: isatty(0), stdout: !!process.stdout.isTTY, stderr: !!process.stderr.isTTY };
  return {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    // A look-up in the user database, only for commands that read a config.
    get home() {
      return (home ??= accountHome());
    },
    cwd: process.cwd(),
    platform: process.platform,
    now: () => new Date(),
    columns: terminalColumns(process.env, process.stdout.isTTY ? process.stdout.columns : undefined),
    tty: {
      ...tty,
      get controlling() {
        return (controlling ??= hasControllingTerminal());
      },
    },
    get prompter() {
      return (prompter ??= new TtyPrompter(() => (tty.stdin && tty.stderr ? { input: process.stdin, output: process.stderr } : openControllingTerminal())));
    },
    globals,
    self: { execPath: process.execPath, script: process.argv[1] ?? '' },
  };
}
