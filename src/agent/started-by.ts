// A program that mcp-cli starts with some tokens (exec's program, a stdio server) gets those
// tokens, not the unlock session: otherwise it could run `mcp-cli token get OTHER --show-value`
// and read every token through the agent. mcp-cli marks such a program's environment, and a
// mcp-cli process that finds the mark (in its own environment or, on Linux, in the environment any
// of its ancestors started with) asks the agent for nothing.
import { readFileSync } from 'node:fs';
import type { Env } from '../paths.js';

/** Set in the environment of every program mcp-cli starts: `exec` for exec's program, `server` for a stdio server. */
export const STARTED_BY = 'MCP_CLI_STARTED_BY';

export type Starter = 'exec' | 'server';

/** How far up the process tree the mark is looked for: far more than any real chain of shells. */
const MAX_ANCESTORS = 64;

/** What a process of /proc shows: the environment it started with, and its parent. */
export interface ProcReader {
  environ(pid: number): Buffer | undefined;
  parent(pid: number): number | undefined;
}

const procReader: ProcReader = {
  environ(pid) {
    try {
      return readFileSync(`/proc/${pid}/environ`);
    } catch {
      return undefined; // another user's process, or one that forbids it (setuid programs)
    }
  },
  parent(pid) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (2nd field) is in parentheses and may hold anything: the parent is the 2nd field after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return Number.isInteger(ppid) ? ppid : undefined;
    } catch {
      return undefined;
    }
  },
};

/** The mark's value in a NUL-separated environment block, or undefined when the mark is not there. */
function markIn(environ: Buffer): string | undefined {
  const needle = `${STARTED_BY}=`;
  for (const entry of environ.toString('utf8').split('\0')) if (entry.startsWith(needle)) return entry.slice(needle.length);
  return undefined;
}

/**
 * Who started this process, if mcp-cli did, directly or through other programs: the mark in its own
 * environment, else (where /proc shows it) in the environment any ancestor started with. So a
 * program that removes the variable before running mcp-cli (`env -u`) is found all the same.
 */
export function startedByMcpCli(env: Env, platform: NodeJS.Platform, ppid: number, proc: ProcReader = procReader): string | undefined {
  const own = env[STARTED_BY];
  if (own !== undefined) return own || 'a program';
  if (platform !== 'linux') return undefined;
  for (let pid = ppid, depth = 0; pid > 1 && depth < MAX_ANCESTORS; depth++) {
    const environ = proc.environ(pid);
    const mark = environ && markIn(environ);
    if (mark !== undefined) return mark || 'a program';
    const parent = proc.parent(pid);
    if (parent === undefined || parent === pid) return undefined;
    pid = parent;
  }
  return undefined;
}

/** The warning when the unlock session is withheld, naming who started the process. */
export function withheldNotice(starter: string): string {
  const who =
    starter === 'exec'
      ? 'a program that `mcp-cli exec` started'
      : starter === 'server'
        ? 'an MCP server that mcp-cli started'
        : 'a program that mcp-cli started';
  return `not using the unlock session: this process descends from ${who} (${STARTED_BY}), which gets only the tokens it was given`;
}
