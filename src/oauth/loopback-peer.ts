import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';

/** The two ends of a TCP connection that reached a listener on this machine, as Node's socket names them. */
export interface ConnectionEnds {
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
}

/**
 * An address as /proc/net/tcp{,6} prints it: each 32-bit word as a host-order hex number. Returns
 * dotted IPv4 (also for an IPv4-mapped IPv6 address), or undefined for any other IPv6 address.
 */
export function procAddress(hex: string): string | undefined {
  const bytes = Buffer.from(hex, 'hex');
  if (endianness() === 'LE') for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  if (bytes.length === 4) return [...bytes].join('.');
  const mapped = bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? [...bytes.subarray(12)].join('.') : undefined;
}

const bare = (address: string | undefined) => address?.replace(/^::ffff:/i, '');

/**
 * The uid of the local account whose socket is the other end of a loopback connection, from the
 * kernel's socket tables (Linux: /proc/net/tcp and tcp6, where each socket's owner is listed).
 * Undefined where the system does not say (no /proc: macOS, Windows, the BSDs) or lists no such socket.
 */
export async function peerUid(ends: ConnectionEnds, tables = ['/proc/net/tcp', '/proc/net/tcp6']): Promise<number | undefined> {
  const { localAddress, localPort, remoteAddress, remotePort } = ends;
  if (localPort === undefined || remotePort === undefined) return undefined;
  for (const table of tables) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
      const fields = line.trim().split(/\s+/);
      if (fields.length < 8) continue;
      const [local, remote] = [fields[1]!, fields[2]!].map((field) => field.split(':')) as [[string, string], [string, string]];
      // The peer's socket: its local end is our remote end, and the other way round.
      if (Number.parseInt(local[1], 16) !== remotePort || Number.parseInt(remote[1], 16) !== localPort) continue;
      if (procAddress(local[0]) !== bare(remoteAddress) || procAddress(remote[0]) !== bare(localAddress)) continue;
      const uid = Number(fields[7]);
      if (Number.isInteger(uid)) return uid;
    }
  }
  return undefined;
}

/**
 * Whether a connection to the login's listener comes from another local account: one that is neither
 * this user nor root (who can read this process's memory anyway). False where that cannot be told.
 */
export async function fromAnotherAccount(ends: ConnectionEnds): Promise<boolean> {
  const own = process.getuid?.();
  if (own === undefined) return false;
  const uid = await peerUid(ends);
  return uid !== undefined && uid !== own && uid !== 0;
}
