import { spawn } from 'node:child_process';
import { CLI, type CliResult } from './cli.js';
import { requireProgram } from './programs.js';

export interface Keystrokes {
  /** Text to type once `after` has appeared in the output. */
  after: string;
  type: string;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the CLI on a real pseudo-terminal (util-linux `script`), typing each answer
 * when its prompt appears, as a person would. Output is what the terminal showed.
 * With `pipe`, standard input is a pipe carrying that text instead (`printf %s TEXT | mcp-cli ...`),
 * while the terminal stays the controlling terminal.
 */
export function runInTerminal(
  args: string[],
  keystrokes: Keystrokes[],
  options: { env: Record<string, string | undefined>; cwd: string; pipe?: string },
): Promise<CliResult> {
  const cli = [process.execPath, '--', CLI, ...args].map(quote).join(' ');
  return runCommandInTerminal(options.pipe === undefined ? cli : `printf %s ${quote(options.pipe)} | ${cli}`, keystrokes, options);
}

/** Runs a shell command line on a real pseudo-terminal, typing each answer once its text has appeared (an interactive shell, say). */
export function runCommandInTerminal(
  command: string,
  keystrokes: Keystrokes[],
  options: { env: Record<string, string | undefined>; cwd: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(requireProgram('script'), ['-qefc', command, '/dev/null'], {
      env: options.env as NodeJS.ProcessEnv,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const pending = [...keystrokes];
    let searchFrom = 0;
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString('utf8');
      while (pending.length > 0) {
        const at = output.indexOf(pending[0]!.after, searchFrom);
        if (at < 0) break;
        searchFrom = at + pending[0]!.after.length;
        child.stdin.write(pending.shift()!.type);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: output.replace(/\r\n/g, '\n'), stderr: '' });
    });
  });
}
