// A command on a real terminal of a given size: a tmux session of its own (a server on a socket
// of its own), the screen as tmux drew it, with wrapped lines joined back so a wrap shows as a
// line wider than the terminal.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TerminalScreen {
  /** The lines as written, each wrapped line joined back into one. */
  lines: string[];
}

/** Runs `args` (argv, each quoted) on a tmux terminal of `columns` × `rows` and returns the screen once it has ended. */
export async function onTmuxTerminal(
  args: string[],
  options: { columns: number; rows?: number; env: Record<string, string | undefined>; cwd: string },
): Promise<TerminalScreen> {
  const socket = `mcp-cli-test-${randomBytes(6).toString('hex')}`;
  const tmux = (...a: string[]) =>
    run('tmux', ['-L', socket, '-f', '/dev/null', ...a], { env: options.env as NodeJS.ProcessEnv, cwd: options.cwd }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new Error('tmux is needed for the terminal-width tests: install it (apt-get install tmux)');
      throw error;
    });
  const command = `${args.map(quote).join(' ')}; tmux -L ${socket} wait-for -S done; sleep 30`;
  await tmux('new-session', '-d', '-x', String(options.columns), '-y', String(options.rows ?? 60), 'sh', '-c', command);
  try {
    await tmux('wait-for', 'done');
    const { stdout } = await tmux('capture-pane', '-p', '-J', '-t', '0');
    return { lines: stdout.replace(/\n+$/, '').split('\n') };
  } finally {
    await tmux('kill-server').catch(() => undefined);
  }
}
