import { spawn } from 'node:child_process';
import { CliError } from '../errors.js';
import { callAgent } from './client.js';

/** The hidden first argument that makes the CLI's entry point (src/cli/main.ts) run the agent instead of a command. */
export const AGENT_ARGUMENT = '__unlock-agent';
const START_TIMEOUT_MS = 10_000;

/**
 * Makes sure an agent listens on `socketPath` (its directory already checked): an agent that
 * answers is used as it is; otherwise one is started, detached, with an empty environment and
 * nothing secret on its command line, and waited for until it listens.
 */
export async function ensureAgent(self: { execPath: string; script: string }, socketPath: string): Promise<void> {
  if ((await callAgent(socketPath, { op: 'status' }))?.header.ok) return;
  // `--`: nothing after it is Node's own option (an argument starting with --env-file would be).
  const child = spawn(self.execPath, ['--', self.script, AGENT_ARGUMENT, socketPath], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: {},
    cwd: '/',
  });
  const started = await new Promise<boolean>((resolve) => {
    let said = '';
    const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
    child.stdout!.on('data', (d: Buffer) => {
      said += d.toString('utf8');
      if (/^(ready|running)\n/.test(said)) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.on('error', () => resolve(false));
    child.on('exit', () => resolve(/^(ready|running)\n/.test(said)));
  });
  child.stdout!.destroy();
  child.unref();
  // Two unlocks at once start two agents; the one that lost the socket exits, the other serves both.
  if (!started && !(await callAgent(socketPath, { op: 'status' }))?.header.ok)
    throw new CliError(`the unlock agent did not start (socket ${socketPath})`, 1, 'run the command again; MCP_CLI_ENCRYPTION_KEY still works meanwhile');
}
