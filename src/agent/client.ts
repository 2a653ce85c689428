import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { encode, MessageReader, type Header, type Message } from './protocol.js';
import { distrustDir, distrustSocket } from './paths.js';

/** How long a command waits for the agent before going on without it. */
const CALL_TIMEOUT_MS = 2000;

export interface AgentEntry {
  id: string;
  label: string;
  expiresAt: number;
}

/** Why the agent at `socketPath` is not used: absent (`missing`), or a reason not to trust it. */
export function agentProblem(socketPath: string): string | 'missing' | undefined {
  return distrustDir(dirname(socketPath)) ?? distrustSocket(socketPath);
}

/**
 * One round trip to the agent: undefined when no agent answers (no socket, a stale one, a
 * timeout). Call only after agentProblem() found nothing wrong.
 */
export async function callAgent(socketPath: string, header: Header, key?: Buffer): Promise<Message | undefined> {
  const answer = await exchange(socketPath, header, key, () => false);
  return answer?.message;
}

/**
 * Sends one request and reads the reply. When `keep` says so for the reply, the connection stays
 * open after it (not holding the process), and `closed` resolves when the agent or the system closes it.
 */
function exchange(
  socketPath: string,
  header: Header,
  key: Buffer | undefined,
  keep: (reply: Message) => boolean,
): Promise<{ message: Message; closed: Promise<void> } | undefined> {
  return new Promise((resolve) => {
    const reader = new MessageReader();
    const socket = createConnection(socketPath);
    const closed = new Promise<void>((end) => socket.once('close', () => end()));
    let settled = false;
    const done = (message: Message | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!message) reader.clear();
      if (message && keep(message)) {
        socket.removeAllListeners('data');
        socket.unref();
      } else socket.destroy();
      resolve(message && { message, closed });
    };
    const timer = setTimeout(() => done(undefined), CALL_TIMEOUT_MS);
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.on('data', (chunk: Buffer) => {
      try {
        const message = reader.push(chunk);
        if (message) done(message);
      } catch {
        done(undefined);
      }
    });
    socket.on('connect', () => {
      const request = encode(header, key);
      socket.write(request, () => request.fill(0));
    });
  });
}

/**
 * The data key the agent holds for `identity`, and `ended`, which resolves when the agent lets go
 * of it (token lock, the timeout, a passphrase change, the agent's exit): the process must then
 * drop the key too. Undefined when the agent holds none. An agent of an older version does not
 * say when: `ended` then never resolves.
 */
export async function agentSessionKey(socketPath: string, identity: string): Promise<{ key: Buffer; ended: Promise<void> } | undefined> {
  const watching = (reply: Message) => reply.header.ok === true && reply.header.watching === true;
  const answer = await exchange(socketPath, { op: 'get', id: identity, watch: true }, undefined, watching);
  if (answer?.message.header.ok !== true || !answer.message.key) return undefined;
  return { key: answer.message.key, ended: watching(answer.message) ? answer.closed : new Promise<void>(() => undefined) };
}

export async function agentStatus(socketPath: string): Promise<AgentEntry[] | undefined> {
  const reply = await callAgent(socketPath, { op: 'status' });
  return reply?.header.ok === true && Array.isArray(reply.header.entries) ? (reply.header.entries as AgentEntry[]) : undefined;
}
