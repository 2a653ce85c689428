// The unlock agent's wire format: one request and one reply per connection. Each message is
// a JSON header line, then `bytes` raw bytes (a data key), so that keys never become JS
// strings, which could not be zeroed.

export const PROTOCOL_VERSION = 1;
export const KEY_BYTES = 32;
/** The longest unlock: a week (Node's timers could hold at most 2^31-1 ms, about 24.8 days). */
export const MAX_TTL_MS = 7 * 24 * 3600 * 1000;
/** No message is larger than a header and one key. */
export const MAX_MESSAGE = 16 * 1024;

export interface Header {
  v?: number;
  op?: string;
  ok?: boolean;
  bytes?: number;
  [field: string]: unknown;
}

export interface Message {
  header: Header;
  key?: Buffer;
}

export function encode(header: Header, key?: Buffer): Buffer {
  const head = Buffer.from(`${JSON.stringify({ v: PROTOCOL_VERSION, ...header, ...(key ? { bytes: key.length } : {}) })}\n`, 'utf8');
  return key ? Buffer.concat([head, key]) : head;
}

/**
 * Collects chunks until one whole message is there. `push` returns the message once complete,
 * undefined while more is needed; it throws on a malformed or oversized message.
 */
export class MessageReader {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): Message | undefined {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > MAX_MESSAGE + KEY_BYTES) throw new Error('message too large');
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [all];
    const newline = all.indexOf(0x0a);
    if (newline < 0) return undefined;
    const header = JSON.parse(all.subarray(0, newline).toString('utf8')) as Header;
    if (typeof header !== 'object' || header === null) throw new Error('bad header');
    const bytes = header.bytes ?? 0;
    if (bytes !== 0 && bytes !== KEY_BYTES) throw new Error('bad key length');
    if (all.length < newline + 1 + bytes) return undefined;
    if (bytes === 0) return { header };
    // A copy of its own: the receive buffer is zeroed right away.
    const key = Buffer.alloc(bytes);
    all.copy(key, 0, newline + 1, newline + 1 + bytes);
    all.fill(0);
    this.chunks = [];
    return { header, key };
  }

  /** Zeroes whatever was received. */
  clear(): void {
    for (const chunk of this.chunks) chunk.fill(0);
    this.chunks = [];
  }
}
