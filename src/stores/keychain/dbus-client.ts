import { connect, type Socket } from 'node:net';
import { holdEndingSignals } from '../../io/hold-signals.js';
import { decodeMessage, encodeMessage, messageLength, MessageType, type DbusValue, type Message } from './dbus-wire.js';

export class DbusError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CallSpec {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: DbusValue[];
  /** Header flags, e.g. 0x2: do not start a provider for this call. */
  flags?: number;
}

/** The socket path of the first `unix:` address in DBUS_SESSION_BUS_ADDRESS (abstract sockets get a leading NUL). */
export function socketPathOf(address: string): string | undefined {
  for (const entry of address.split(';')) {
    const [transport, rest = ''] = entry.split(/:(.*)/s);
    if (transport !== 'unix') continue;
    const params = new Map(rest.split(',').map((kv) => kv.split(/=(.*)/s) as [string, string]));
    const decode = (v: string) => decodeURIComponent(v);
    if (params.has('path')) return decode(params.get('path')!);
    if (params.has('abstract')) return '\0' + decode(params.get('abstract')!);
  }
  return undefined;
}

/**
 * A minimal, promise-based D-Bus connection over a unix socket (EXTERNAL auth).
 * It keeps the process alive only while a call awaits its answer.
 */
export class DbusConnection {
  private serial = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private closedError: Error | undefined;
  private letGoOfSignals: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {}

  static async open(socketPath: string, timeoutMs: number): Promise<DbusConnection> {
    const socket = connect({ path: socketPath });
    socket.unref();
    const conn = new DbusConnection(socket);
    await withTimeout(conn.handshake(), timeoutMs, () => socket.destroy());
    return conn;
  }

  private handshake(): Promise<void> {
    return new Promise((resolve, reject) => {
      let text = '';
      const onError = (e: Error) => reject(e);
      const onData = (d: Buffer) => {
        text += d.toString('latin1');
        if (!text.includes('\r\n')) return;
        this.socket.off('data', onData);
        this.socket.off('error', onError);
        if (!text.startsWith('OK ')) return reject(new Error(`the session bus refused authentication: ${text.trim()}`));
        this.socket.write('BEGIN\r\n');
        this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
        this.socket.on('error', (e) => this.fail(e));
        this.socket.on('close', () => this.fail(new Error('the session bus closed the connection')));
        this.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'Hello' }).then(
          () => resolve(),
          reject,
        );
      };
      this.socket.on('error', onError);
      this.socket.on('data', onData);
      const uid = String(process.getuid?.() ?? 0);
      this.socket.write(`\0AUTH EXTERNAL ${Buffer.from(uid, 'ascii').toString('hex')}\r\n`);
    });
  }

  private fail(error: Error): void {
    this.closedError ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (let n = messageLength(this.buffer); n > 0; n = messageLength(this.buffer)) {
      const message = decodeMessage(this.buffer.subarray(0, n));
      this.buffer = this.buffer.subarray(n);
      if (message.replySerial === undefined) continue;
      const waiter = this.pending.get(message.replySerial);
      if (!waiter) continue;
      this.pending.delete(message.replySerial);
      if (message.type === MessageType.error) {
        const text = typeof message.body[0] === 'string' ? message.body[0] : message.errorName!;
        waiter.reject(new DbusError(message.errorName ?? 'org.freedesktop.DBus.Error.Failed', text));
      } else waiter.resolve(message);
    }
  }

  /** Sends a method call and resolves with the reply's body. */
  async call(spec: CallSpec): Promise<DbusValue[]> {
    if (this.closedError) throw this.closedError;
    const serial = ++this.serial;
    const reply = new Promise<Message>((resolve, reject) => this.pending.set(serial, { resolve, reject }));
    // Keeps the process alive while an answer is awaited, and only then; a Ctrl-C or SIGTERM
    // then waits for the answer too (a keyring daemon may not survive a request abandoned mid-way).
    this.socket.ref();
    this.letGoOfSignals ??= holdEndingSignals();
    this.socket.write(encodeMessage({ type: MessageType.call, serial, ...spec, body: spec.body ?? [] }));
    try {
      return (await reply).body;
    } finally {
      if (this.pending.size === 0) {
        this.socket.unref();
        this.letGoOfSignals?.();
        this.letGoOfSignals = undefined;
      }
    }
  }

  close(): void {
    this.fail(new Error('connection closed'));
    this.socket.destroy();
  }
}

export class TimeoutError extends Error {}

export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new TimeoutError(`no answer within ${ms} ms`));
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
