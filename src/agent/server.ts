// The unlock agent: a small process of its own that holds unwrapped data keys in memory, each
// under the identity of the file version it opens, until its timeout or `mcp-cli token lock`.
// It writes nothing to disk but its socket, takes nothing secret from argv or the environment
// (keys arrive over the socket), and zeroes every key it lets go of.
import { chmodSync, lstatSync, unlinkSync, writeSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { distrustDir } from './paths.js';
import { encode, KEY_BYTES, MAX_TTL_MS, MessageReader, type Header } from './protocol.js';

interface Entry {
  key: Buffer;
  label: string;
  expiresAt: number;
  timer: NodeJS.Timeout;
  /** Connections of processes that hold this key (`get` with `watch`): closed when the agent lets go of it. */
  watchers: Set<Socket>;
}

const MAX_ENTRIES = 64;
/** An agent that was started but given no key goes away. */
const IDLE_EXIT_MS = 30_000;
/** How often the agent checks that its socket is still its own (removed or replaced: it exits). */
const WATCH_MS = 2000;
const CONNECTION_TIMEOUT_MS = 5000;

const isId = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

function alive(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(socketPath);
    probe.on('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.on('error', () => resolve(false));
  });
}

export async function runAgent(socketPath: string): Promise<void> {
  const dir = dirname(socketPath);
  if (distrustDir(dir) !== undefined) process.exit(3);
  if (lstatSync(socketPath, { throwIfNoEntry: false })) {
    if (await alive(socketPath)) {
      tell('running');
      process.exit(0);
    }
    unlinkSync(socketPath); // left by an agent that was killed
  }

  const entries = new Map<string, Entry>();
  let inode: number | undefined;
  let idle: NodeJS.Timeout | undefined = setTimeout(() => shutdown(), IDLE_EXIT_MS);

  const forget = (id: string) => {
    const entry = entries.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.key.fill(0);
    entries.delete(id);
    // The session is over for everyone: a process that took the key drops it when its connection closes.
    for (const watcher of entry.watchers) watcher.destroy();
  };
  const expireLater = (id: string, expiresAt: number) =>
    setTimeout(
      () => {
        forget(id);
        if (entries.size === 0) shutdown();
      },
      Math.max(0, expiresAt - Date.now()),
    );

  let closing = false;
  function shutdown(): void {
    if (closing) return;
    closing = true;
    for (const id of [...entries.keys()]) forget(id);
    try {
      if (lstatSync(socketPath, { throwIfNoEntry: false })?.ino === inode) unlinkSync(socketPath);
    } catch {
      // already gone
    }
    server.close();
    process.exit(0);
  }

  // A wall-clock check on every read as well: timers do not count the time a machine sleeps.
  const current = (id: string): Entry | undefined => {
    const entry = entries.get(id);
    if (entry && entry.expiresAt <= Date.now()) {
      forget(id);
      return undefined;
    }
    return entry;
  };

  function answer(request: Header, key: Buffer | undefined): { reply: Header; key?: Buffer; last?: boolean; watch?: Entry } {
    switch (request.op) {
      case 'get': {
        const entry = isId(request.id) ? current(request.id) : undefined;
        if (!entry) return { reply: { ok: false } };
        if (request.watch !== true) return { reply: { ok: true, expiresAt: entry.expiresAt }, key: entry.key };
        return { reply: { ok: true, expiresAt: entry.expiresAt, watching: true }, key: entry.key, watch: entry };
      }
      case 'put': {
        const ttl = Number(request.ttlMs);
        if (!isId(request.id) || !key || key.length !== KEY_BYTES || !Number.isSafeInteger(ttl) || ttl < 1000 || ttl > MAX_TTL_MS)
          return { reply: { ok: false, error: 'bad request' } };
        const expiresAt = Date.now() + ttl;
        const held = current(request.id);
        if (held) {
          // Unlocked again: the same file version, so the same key; the session goes on until the new time.
          clearTimeout(held.timer);
          Object.assign(held, { label: String(request.label ?? held.label), expiresAt, timer: expireLater(request.id, expiresAt) });
          return { reply: { ok: true, expiresAt } };
        }
        if (entries.size >= MAX_ENTRIES) return { reply: { ok: false, error: 'too many unlocked files' } };
        entries.set(request.id, {
          key: Buffer.from(key),
          label: String(request.label ?? ''),
          expiresAt,
          timer: expireLater(request.id, expiresAt),
          watchers: new Set(),
        });
        return { reply: { ok: true, expiresAt } };
      }
      case 'rekey': {
        const old = isId(request.from) ? current(request.from) : undefined;
        if (!old || !isId(request.id) || !key || key.length !== KEY_BYTES) return { reply: { ok: true, moved: false } };
        const { expiresAt, label } = old;
        forget(request.from as string);
        entries.set(request.id, {
          key: Buffer.from(key),
          label: String(request.label ?? label),
          expiresAt,
          timer: expireLater(request.id, expiresAt),
          watchers: new Set(),
        });
        return { reply: { ok: true, moved: true, expiresAt } };
      }
      case 'status':
        return {
          reply: {
            ok: true,
            pid: process.pid,
            entries: [...entries].filter(([id]) => current(id)).map(([id, e]) => ({ id, label: e.label, expiresAt: e.expiresAt })),
          },
        };
      case 'lock': {
        const ids = isId(request.id) ? [request.id] : [...entries.keys()];
        const count = ids.filter((id) => entries.has(id)).length;
        ids.forEach(forget);
        return { reply: { ok: true, count }, last: entries.size === 0 };
      }
      default:
        return { reply: { ok: false, error: 'unknown request' } };
    }
  }

  const server = createServer({ allowHalfOpen: true }, (socket: Socket) => {
    const reader = new MessageReader();
    socket.setTimeout(CONNECTION_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => reader.clear());
    socket.on('data', (chunk: Buffer) => {
      let message;
      try {
        message = reader.push(chunk);
      } catch {
        reader.clear();
        socket.destroy();
        return;
      }
      if (!message) return;
      socket.removeAllListeners('data');
      const { reply, key, last, watch } = answer(message.header, message.key);
      message.key?.fill(0);
      if (entries.size > 0 && idle) {
        clearTimeout(idle);
        idle = undefined;
      }
      const out = encode(reply, key);
      if (watch) {
        // Kept open, idle, until the key is let go of (forget) or the process that holds it goes away.
        socket.setTimeout(0);
        watch.watchers.add(socket);
        socket.on('close', () => watch.watchers.delete(socket));
        socket.write(out, () => out.fill(0));
        return;
      }
      socket.end(out, () => {
        out.fill(0);
        if (last) shutdown();
      });
    });
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, shutdown);
  server.on('error', () => process.exit(4));
  server.listen(socketPath, () => {
    chmodSync(socketPath, 0o600);
    inode = lstatSync(socketPath).ino;
    // Removed or replaced (a new agent, a cleaned-up directory): this one has no business holding keys.
    setInterval(() => {
      if (lstatSync(socketPath, { throwIfNoEntry: false })?.ino !== inode) {
        inode = undefined;
        shutdown();
        return;
      }
      // Timers do not count the time a machine sleeps: the wall clock ends sessions that ran out meanwhile.
      const held = entries.size;
      for (const id of [...entries.keys()]) current(id);
      if (held > 0 && entries.size === 0) shutdown();
    }, WATCH_MS);
    tell('ready');
  });
}

/** One line to the process that started the agent, which may have stopped listening. */
function tell(word: string): void {
  try {
    writeSync(1, `${word}\n`);
  } catch {
    // nobody is waiting
  }
}
