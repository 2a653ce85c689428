// Node.js (20 through 26 at least) takes `--env-file FILE`, `--env-file=FILE` and
// `--env-file-if-exists` for its own options wherever they stand in its command line, also
// after the script's name, and stops looking only at a bare `--`. So `node …/cli.js exec
// --env-file .env -- prog` has Node load `.env` into the process before any of mcp-cli runs:
// a NODE_OPTIONS=--require=… in it runs code inside mcp-cli. Nothing in JavaScript can prevent
// that; mcp-cli can only notice it and stop before it touches a secret. The installed command
// starts Node with `--` before the script (the shebang in scripts/build.mjs), which is safe.
import { readFileSync } from 'node:fs';

/**
 * The Node option the installed command's shebang passes before `--`: it changes nothing (no
 * warning has that name) and shows in process.execArgv, where the `--` does not. Where the real
 * command line cannot be read (macOS, Windows), it tells that Node was started as the installed
 * command starts it, and so was told where its own options end.
 */
export const LAUNCH_MARKER = '--disable-warning=mcp-cli';

/** How this process was started, as far as it can tell. */
export interface Launch {
  /** process.argv: the runtime, the script, then mcp-cli's arguments. */
  argv: readonly string[];
  /** process.execArgv: Node's own options (a `--` after them is not shown). */
  execArgv: readonly string[];
  /** The exact command line, where the system shows it (Linux: /proc/self/cmdline). */
  cmdline?: readonly string[];
}

/**
 * The files Node takes from `args` as env files: those of the arguments before the first bare
 * `--` that begin with `--env-file` (the value after the first `=`, else the next argument).
 * Any argument of that prefix counts, so that an option a later Node adds is covered too.
 */
export function envFilesNodeTakes(args: readonly string[]): string[] {
  const files: string[] = [];
  for (let i = 0; i < args.length && args[i] !== '--'; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--env-file')) continue;
    const eq = arg.indexOf('=');
    if (eq >= 0) files.push(arg.slice(eq + 1));
    else if (i + 1 < args.length && args[i + 1] !== '--') files.push(args[++i]!);
  }
  return files;
}

/** Whether Node was told with `--` where its options end, so that it left mcp-cli's arguments alone. */
export function endedNodeOptions(launch: Launch): boolean {
  const { argv, execArgv, cmdline } = launch;
  // The command line is the runtime, Node's options, maybe `--`, the script, and mcp-cli's arguments.
  if (cmdline?.length === argv.length + execArgv.length + 1) return cmdline[1 + execArgv.length] === '--';
  if (cmdline?.length === argv.length + execArgv.length) return false;
  return execArgv.includes(LAUNCH_MARKER);
}

/**
 * The env files Node has already loaded into this process, or undefined when it loaded none
 * and mcp-cli may go on. The command line is read only when an argument looks like one.
 */
export function envFilesLoadedByNode(launch: Omit<Launch, 'cmdline'>, readCmdline: () => string[] | undefined): string[] | undefined {
  const files = envFilesNodeTakes(launch.argv.slice(2));
  if (files.length === 0) return undefined;
  const cmdline = readCmdline();
  return endedNodeOptions({ ...launch, ...(cmdline ? { cmdline } : {}) }) ? undefined : files;
}

/** This process's command line as the kernel keeps it, where it does (Linux). */
export function ownCmdline(): string[] | undefined {
  try {
    const raw = readFileSync('/proc/self/cmdline', 'utf8');
    return (raw.endsWith('\0') ? raw.slice(0, -1) : raw).split('\0');
  } catch {
    return undefined;
  }
}

/** Why mcp-cli stops when Node has loaded env files: the message and the hint of its error. */
export function envFileRefusal(files: readonly string[], platform: NodeJS.Platform): { message: string; hint: string } {
  return {
    message:
      `Node.js itself has loaded ${files.join(', ')} into this process before mcp-cli started (it takes --env-file for its own ` +
      'option wherever it stands, unless "--" comes before the script), so whatever the file sets, NODE_OPTIONS included, ' +
      'applies to mcp-cli too; mcp-cli stops before reading any secret',
    hint:
      platform === 'linux'
        ? 'run the installed mcp-cli command, or start the script as `node -- …/cli.js …`: the "--" keeps Node away from the arguments'
        : 'run the installed mcp-cli command, which starts Node so that it leaves the arguments alone',
  };
}
