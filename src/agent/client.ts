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
export function callAgent(socketPath: string, header: Header, key?: Buffer): Promise<Message | undefined> {
  return new Promise((resolve) => {
    const reader = new MessageReader();
    const socket = createConnection(socketPath);
    let settled = false;
    const done = (message: Message | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!message) reader.clear();
      socket.destroy();
      resolve(message);
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

/** The data key the agent holds for `identity`, if it holds one and may be trusted. */
export async function agentKey(socketPath: string, identity: string): Promise<Buffer | undefined> {
  const reply = await callAgent(socketPath, { op: 'get', id: identity });
  return reply?.header.ok === true ? reply.key : undefined;
}

export async function agentStatus(socketPath: string): Promise<AgentEntry[] | undefined> {
  const reply = await callAgent(socketPath, { op: 'status' });
  return reply?.header.ok === true && Array.isArray(reply.header.entries) ? (reply.header.entries as AgentEntry[]) : undefined;
}
