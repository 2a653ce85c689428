// A process told to end (Ctrl-C, SIGTERM from the MCP client that started it) while it awaits the
// keyring's answer ends once the answer is in: gnome-keyring-daemon aborts when a client goes away
// in the middle of an encrypted-session request. The peer here is a unix socket that speaks just
// enough D-Bus to hold a reply back until the test releases it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { decodeMessage, encodeMessage, messageLength, MessageType, type Message } from '../../src/stores/keychain/dbus-wire.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/pending-dbus-call.ts', import.meta.url));

interface SlowBus {
  socketPath: string;
  /** Resolves once the held call has arrived. */
  held: Promise<void>;
  /** Sends the held call's reply. */
  answer(): void;
  /** Resolves once the client has closed its connection. */
  closed: Promise<void>;
  events: string[];
  stop(): Promise<void>;
}

/** Answers the client's Hello at once and holds back the reply to any other call. */
async function startSlowBus(): Promise<SlowBus> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-cli-slow-bus-'));
  const socketPath = join(dir, 'bus');
  const events: string[] = [];
  let heldCall: { socket: Socket; message: Message } | undefined;
  let onHeld!: () => void;
  let onClosed!: () => void;
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const reply = (socket: Socket, call: Message) =>
    socket.write(encodeMessage({ type: MessageType.reply, serial: call.serial + 1000, replySerial: call.serial, signature: 's', body: [':1.7'] }));
  const server: Server = createServer((socket) => {
    let authenticated = false;
    let buffer = Buffer.alloc(0);
    socket.on('close', () => {
      events.push('closed');
      onClosed();
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!authenticated) {
        const text = buffer.toString('latin1');
        if (!text.includes('\r\n')) return;
        socket.write('OK 0123456789abcdef0123456789abcdef\r\n');
        authenticated = true;
        buffer = Buffer.alloc(0);
        return;
      }
      if (buffer.toString('latin1').startsWith('BEGIN\r\n')) buffer = buffer.subarray('BEGIN\r\n'.length);
      for (let n = messageLength(buffer); n > 0; n = messageLength(buffer)) {
        const message = decodeMessage(buffer.subarray(0, n));
        buffer = buffer.subarray(n);
        if (message.member === 'Hello') reply(socket, message);
        else {
          heldCall = { socket, message };
          events.push('held');
          onHeld();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    held,
    closed,
    events,
    answer() {
      events.push('answered');
      reply(heldCall!.socket, heldCall!.message);
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function startClient(
  socketPath: string,
  mode?: 'own-handler',
): { child: ChildProcess; stdout: () => string; ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, socketPath, ...(mode ? [mode] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, ended };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client whose call the bus is holding back; both are stopped when the test ends. */
async function clientAwaitingAnswer(onTestFinished: (fn: () => void | Promise<void>) => void, mode?: 'own-handler') {
  const bus = await startSlowBus();
  onTestFinished(() => bus.stop());
  const client = startClient(bus.socketPath, mode);
  onTestFinished(() => void client.child.kill('SIGKILL'));
  await bus.held;
  return { bus, client, running: () => client.child.exitCode === null && client.child.signalCode === null };
}

describe('an ending signal while a Secret Service call awaits its answer', { concurrent: true }, () => {
  it('waits for the answer, then ends the process as the signal would have', async ({ expect, onTestFinished }) => {
    const { bus, client, running } = await clientAwaitingAnswer(onTestFinished);
    client.child.kill('SIGTERM');
    await pause(400);
    expect(running(), 'still running while its call is unanswered').toBe(true);
    expect(bus.events).toEqual(['held']);
    bus.answer();
    await bus.closed;
    expect(await client.ended).toEqual({ code: null, signal: 'SIGTERM' });
    expect(bus.events).toEqual(['held', 'answered', 'closed']);
  });

  it('ends at once on a second signal', async ({ expect, onTestFinished }) => {
    const { bus, client, running } = await clientAwaitingAnswer(onTestFinished);
    client.child.kill('SIGINT');
    await pause(400);
    expect(running(), 'still running after the first Ctrl-C').toBe(true);
    client.child.kill('SIGINT');
    expect(await client.ended).toEqual({ code: null, signal: 'SIGINT' });
    // The bus may hear of the closed connection after the process is seen to end.
    await bus.closed;
    expect(bus.events).toEqual(['held', 'closed']);
  });

  it('waits only so long for an answer that never comes', async ({ expect, onTestFinished }) => {
    const { bus, client, running } = await clientAwaitingAnswer(onTestFinished);
    client.child.kill('SIGHUP');
    await pause(400);
    expect(running(), 'still running while its call is unanswered').toBe(true);
    expect(await client.ended).toEqual({ code: null, signal: 'SIGHUP' });
    await bus.closed;
    expect(bus.events).toEqual(['held', 'closed']);
  });

  it("leaves the signal to the program's own handler", async ({ expect, onTestFinished }) => {
    const { bus, client } = await clientAwaitingAnswer(onTestFinished, 'own-handler');
    client.child.kill('SIGTERM');
    await expect.poll(() => client.stdout()).toBe('sent\nhandled SIGTERM\n');
    bus.answer();
    expect(await client.ended).toEqual({ code: 0, signal: null });
    expect(client.stdout()).toBe('sent\nhandled SIGTERM\nanswered\n');
  });
});
