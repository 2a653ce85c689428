import { dirname } from 'node:path';
import { CliError } from '../errors.js';
import type { Env } from '../paths.js';
import type { IdentifiedKey, KeyCache } from '../stores/encrypted/store.js';
import { agentProblem, agentSessionKey, agentStatus, callAgent, type AgentEntry } from './client.js';
import { agentSocketPath, ensureAgentDir, refusal } from './paths.js';
import { withheldNotice } from './started-by.js';

/**
 * Unlock sessions for the encrypted file, through the agent of this user. Every call checks
 * the agent's directory and socket first and stays away from ones it cannot trust.
 */

/**
 * What the encrypted store asks before any passphrase: one round trip to the agent, or none
 * at all when there is no agent. An agent in a directory that is not private to this user is
 * never asked, nor is any by a process that descends from a program mcp-cli started
 * (`startedBy`, src/agent/started-by.ts); `warn` says so once.
 */
export function agentKeyCache(env: Env, warn: (text: string) => void, startedBy: () => string | undefined): KeyCache {
  const socketPath = agentSocketPath(env);
  return {
    async get(identity) {
      let problem: string | undefined;
      try {
        problem = agentProblem(socketPath);
      } catch (error) {
        problem = (error as Error).message;
      }
      if (problem === 'missing') return undefined;
      if (problem !== undefined) {
        warn(`ignoring the unlock agent at ${socketPath}: ${problem}`);
        return undefined;
      }
      const starter = startedBy();
      if (starter !== undefined) {
        warn(withheldNotice(starter));
        return undefined;
      }
      return agentSessionKey(socketPath, identity);
    },
  };
}

/** The socket of an agent that may be trusted, or undefined when there is none; refuses an untrustworthy one. */
function trustedSocket(env: Env): string | undefined {
  const socketPath = agentSocketPath(env);
  const problem = agentProblem(socketPath);
  if (problem === 'missing') return undefined;
  if (problem !== undefined) throw refusal(dirname(socketPath), problem, env);
  return socketPath;
}

/** Hands a data key to the agent (started if needed) for `ttlMs`; returns when it expires. */
export async function holdKey(env: Env, self: { execPath: string; script: string }, key: IdentifiedKey, ttlMs: number): Promise<Date> {
  const socketPath = agentSocketPath(env);
  ensureAgentDir(socketPath, env);
  const { ensureAgent } = await import('./start.js');
  await ensureAgent(self, socketPath);
  const problem = agentProblem(socketPath);
  if (problem !== undefined) throw refusal(dirname(socketPath), problem, env);
  const reply = await callAgent(socketPath, { op: 'put', id: key.identity, label: key.label, ttlMs }, key.dataKey);
  if (reply?.header.ok !== true) throw new CliError(`the unlock agent did not take the key${reply?.header.error ? ` (${String(reply.header.error)})` : ''}`);
  return new Date(Number(reply.header.expiresAt));
}

/** After a passphrase change: the agent's key for the old version of the file is replaced by the new one. True when it held one. */
export async function replaceKey(env: Env, before: string, after: IdentifiedKey): Promise<boolean> {
  const socketPath = trustedSocket(env);
  if (!socketPath) return false;
  const reply = await callAgent(socketPath, { op: 'rekey', from: before, id: after.identity, label: after.label }, after.dataKey);
  return reply?.header.moved === true;
}

/** Ends every unlock session; the agent then exits. Undefined when no agent was running. */
export async function lockAll(env: Env): Promise<number | undefined> {
  const socketPath = trustedSocket(env);
  if (!socketPath) return undefined;
  const reply = await callAgent(socketPath, { op: 'lock' });
  return reply?.header.ok === true ? Number(reply.header.count) : undefined;
}

/** What the agent holds (labels and expiry times, never keys); empty when there is no agent. */
export async function unlockedFiles(env: Env): Promise<AgentEntry[]> {
  const socketPath = trustedSocket(env);
  return (socketPath && (await agentStatus(socketPath))) || [];
}
