// The D-Bus wire format (little-endian), only as much as the Secret Service calls need.
// Values: arrays are JS arrays, dicts are arrays of [key, value] pairs, structs are
// arrays, variants are [signature, value].

export type DbusValue = string | number | boolean | bigint | Buffer | DbusValue[];

const ALIGN: Record<string, number> = { y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8, h: 4, s: 4, o: 4, g: 1, a: 4, '(': 8, '{': 8, v: 1 };

/** Splits a signature into its complete types: `sa{ss}v` → `s`, `a{ss}`, `v`. */
export function splitSignature(signature: string): string[] {
  const types: string[] = [];
  let i = 0;
  while (i < signature.length) {
    const start = i;
    i = endOfType(signature, i);
    types.push(signature.slice(start, i));
  }
  return types;
}

function endOfType(sig: string, i: number): number {
  const c = sig[i];
  if (c === 'a') return endOfType(sig, i + 1);
  if (c === '(' || c === '{') {
    const close = c === '(' ? ')' : '}';
    let j = i + 1;
    while (sig[j] !== close) {
      if (j >= sig.length) throw new Error(`bad D-Bus signature ${sig}`);
      j = endOfType(sig, j);
    }
    return j + 1;
  }
  if (c === undefined || !(c in ALIGN)) throw new Error(`bad D-Bus signature ${sig}`);
  return i + 1;
}

/** Writes into one growing buffer: arrays patch their length in place. */
export class Writer {
  private buf = Buffer.allocUnsafe(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    if (!pad) return;
    this.reserve(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  private byte(value: number): void {
    this.reserve(1);
    this.buf[this.length++] = value;
  }

  private uint32(value: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(value, this.length);
    this.length += 4;
  }

  /** The UTF-8 bytes of `text` and a NUL; returns how many bytes the text took. */
  private text(text: string, at: number): number {
    const max = Buffer.byteLength(text, 'utf8');
    this.reserve(at - this.length + max + 1);
    const n = this.buf.write(text, at, 'utf8');
    this.buf[at + n] = 0;
    return n;
  }

  write(type: string, value: DbusValue): void {
    const c = type[0]!;
    this.align(ALIGN[c]!);
    switch (c) {
      case 'y':
        this.byte(Number(value));
        return;
      case 'b':
        this.uint32(value ? 1 : 0);
        return;
      case 'u':
        this.uint32(Number(value));
        return;
      case 'i':
        this.reserve(4);
        this.buf.writeInt32LE(Number(value), this.length);
        this.length += 4;
        return;
      case 's':
      case 'o': {
        this.reserve(4);
        const n = this.text(String(value), this.length + 4);
        this.buf.writeUInt32LE(n, this.length);
        this.length += 4 + n + 1;
        return;
      }
      case 'g': {
        this.reserve(1);
        const n = this.text(String(value), this.length + 1);
        this.buf[this.length] = n;
        this.length += 1 + n + 1;
        return;
      }
      case 'v': {
        const [sig, inner] = value as [string, DbusValue];
        this.write('g', sig);
        this.write(sig, inner);
        return;
      }
      case 'a': {
        const element = type.slice(1);
        const lengthAt = this.length;
        this.uint32(0);
        this.align(ALIGN[element[0]!]!);
        const start = this.length;
        for (const item of value as DbusValue[]) this.write(element, item);
        this.buf.writeUInt32LE(this.length - start, lengthAt);
        return;
      }
      case '(':
      case '{': {
        const fields = splitSignature(type.slice(1, -1));
        const items = value as DbusValue[];
        fields.forEach((f, k) => this.write(f, items[k]!));
        return;
      }
      default:
        throw new Error(`cannot write D-Bus type ${type}`);
    }
  }

  toBuffer(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

export class Reader {
  constructor(
    private readonly buf: Buffer,
    public offset = 0,
  ) {}

  private align(n: number): void {
    this.offset += (n - (this.offset % n)) % n;
  }

  read(type: string): DbusValue {
    const c = type[0]!;
    this.align(ALIGN[c]!);
    const b = this.buf;
    switch (c) {
      case 'y':
        return b.readUInt8(this.offset++);
      case 'b':
        return this.take(4, () => b.readUInt32LE(this.offset) === 1);
      case 'n':
        return this.take(2, () => b.readInt16LE(this.offset));
      case 'q':
        return this.take(2, () => b.readUInt16LE(this.offset));
      case 'i':
        return this.take(4, () => b.readInt32LE(this.offset));
      case 'u':
      case 'h':
        return this.take(4, () => b.readUInt32LE(this.offset));
      case 'x':
        return this.take(8, () => b.readBigInt64LE(this.offset));
      case 't':
        return this.take(8, () => b.readBigUInt64LE(this.offset));
      case 'd':
        return this.take(8, () => b.readDoubleLE(this.offset));
      case 's':
      case 'o': {
        const length = this.read('u') as number;
        const text = b.toString('utf8', this.offset, this.offset + length);
        this.offset += length + 1;
        return text;
      }
      case 'g': {
        const length = b.readUInt8(this.offset++);
        const text = b.toString('utf8', this.offset, this.offset + length);
        this.offset += length + 1;
        return text;
      }
      case 'v': {
        const sig = this.read('g') as string;
        return [sig, this.read(sig)];
      }
      case 'a': {
        const element = type.slice(1);
        const length = this.read('u') as number;
        if (element === 'y') {
          // Byte arrays (secret values) come back as one Buffer.
          const bytes = Buffer.from(b.subarray(this.offset, this.offset + length));
          this.offset += length;
          return bytes;
        }
        this.align(ALIGN[element[0]!]!);
        const end = this.offset + length;
        const items: DbusValue[] = [];
        while (this.offset < end) items.push(this.read(element));
        return items;
      }
      case '(':
      case '{':
        return splitSignature(type.slice(1, -1)).map((f) => this.read(f));
      default:
        throw new Error(`cannot read D-Bus type ${type}`);
    }
  }

  private take<T>(size: number, get: () => T): T {
    const value = get();
    this.offset += size;
    return value;
  }
}

export const MessageType = { call: 1, reply: 2, error: 3, signal: 4 } as const;

export interface Message {
  type: number;
  flags: number;
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  signature?: string;
  body: DbusValue[];
}

const FIELD = { path: 1, interface: 2, member: 3, errorName: 4, replySerial: 5, destination: 6, sender: 7, signature: 8 } as const;
const FIELD_SIG: Record<number, string> = { 1: 'o', 2: 's', 3: 's', 4: 's', 5: 'u', 6: 's', 7: 's', 8: 'g' };

export function encodeMessage(m: Omit<Message, 'flags'> & { flags?: number }): Buffer {
  const body = new Writer();
  const types = m.signature ? splitSignature(m.signature) : [];
  types.forEach((t, k) => body.write(t, m.body[k]!));
  const bodyBuf = body.toBuffer();
  const fields: DbusValue[] = [];
  for (const [key, code] of Object.entries(FIELD)) {
    const value = m[key as keyof typeof FIELD];
    if (value !== undefined && value !== '') fields.push([code, [FIELD_SIG[code]!, value]]);
  }
  const header = new Writer();
  header.write('y', 'l'.charCodeAt(0));
  header.write('y', m.type);
  header.write('y', m.flags ?? 0);
  header.write('y', 1);
  header.write('u', bodyBuf.length);
  header.write('u', m.serial);
  header.write('a(yv)', fields);
  header.align(8);
  return Buffer.concat([header.toBuffer(), bodyBuf]);
}

/** The length of the first complete message in `buf`, or 0 when more bytes are needed. */
export function messageLength(buf: Buffer): number {
  if (buf.length < 16) return 0;
  if (buf[0] !== 0x6c) throw new Error('only little-endian D-Bus messages are supported');
  const fieldsLength = buf.readUInt32LE(12);
  const headerLength = 16 + fieldsLength + ((8 - ((16 + fieldsLength) % 8)) % 8);
  const total = headerLength + buf.readUInt32LE(4);
  return buf.length >= total ? total : 0;
}

export function decodeMessage(buf: Buffer): Message {
  const r = new Reader(buf, 1);
  const type = r.read('y') as number;
  const flags = r.read('y') as number;
  r.read('y');
  const bodyLength = r.read('u') as number;
  const serial = r.read('u') as number;
  const fields = r.read('a(yv)') as [number, [string, DbusValue]][];
  const m: Message = { type, flags, serial, body: [] };
  for (const [code, [, value]] of fields) {
    const name = (Object.keys(FIELD) as (keyof typeof FIELD)[]).find((k) => FIELD[k] === code);
    if (name) (m as unknown as Record<string, unknown>)[name] = value;
  }
  const bodyStart = r.offset + ((8 - (r.offset % 8)) % 8);
  if (m.signature && bodyLength > 0) {
    const body = new Reader(buf.subarray(bodyStart, bodyStart + bodyLength));
    m.body = splitSignature(m.signature).map((t) => body.read(t));
  }
  return m;
}
