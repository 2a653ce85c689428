// The login's loopback listener on its own: the one-time launch link's lifetime, and telling which
// account is at the other end of a connection from the kernel's socket table (Linux).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopback } from '../../src/oauth/loopback.js';
import { peerUid, procAddress } from '../../src/oauth/loopback-peer.js';

describe('the one-time launch link', () => {
  it('expires: a late request gets 410 and no redirect, and the login still completes through its callback', async () => {
    const listener = await startLoopback(
      0,
      (p) => p.get('state') === 's',
      (p) => p.get('code')!,
      { linkLifetimeMs: 30 },
    );
    try {
      const link = listener.launchUrl(new URL('https://as.example/authorize?state=s'));
      await new Promise((resolve) => setTimeout(resolve, 60));
      const late = await fetch(link, { redirect: 'manual' });
      expect(late.status).toBe(410);
      expect(late.headers.get('location')).toBeNull();
      expect(await late.text()).toContain('Link expired');
      expect((await fetch(`${listener.redirectUrl}?code=c1&state=s`)).status).toBe(200);
      await expect(listener.result).resolves.toBe('c1');
    } finally {
      await listener.close();
    }
  });

  it('is refused, with the callback, to a connection from another account', async () => {
    const listener = await startLoopback(
      0,
      () => true,
      (p) => p.get('code')!,
      { fromAnotherAccount: async () => true },
    );
    try {
      const link = listener.launchUrl(new URL('https://as.example/authorize?state=s'));
      expect((await fetch(link, { redirect: 'manual' })).status).toBe(403);
      expect((await fetch(`${listener.redirectUrl}?code=c&state=s`)).status).toBe(403);
      // A refused request takes nothing away: the link was not used, and no response was accepted.
      const outcome = await Promise.race([listener.result, new Promise((resolve) => setTimeout(() => resolve('pending'), 50))]);
      expect(outcome).toBe('pending');
    } finally {
      await listener.close();
    }
  });
});

describe('the account at the other end of a loopback connection', () => {
  const word = (bytes: number[]) =>
    Buffer.from(endianness() === 'LE' ? [...bytes].reverse() : bytes)
      .toString('hex')
      .toUpperCase();

  it('reads addresses as /proc/net/tcp and tcp6 print them', () => {
    expect(procAddress(word([127, 0, 0, 1]))).toBe('127.0.0.1');
    expect(procAddress(word([0, 0, 0, 0]) + word([0, 0, 0, 0]) + word([0, 0, 0xff, 0xff]) + word([127, 0, 0, 1]))).toBe('127.0.0.1');
    expect(procAddress(word([0, 0, 0, 0]).repeat(3) + word([0, 0, 0, 1]))).toBeUndefined();
  });

  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-cli-peer-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("finds the peer's socket in a table by its ends (ports swapped, addresses too), and its owner", async () => {
    const entry = (local: string, remote: string, uid: number) => `   0: ${local} ${remote} 01 00000000:00000000 00:00000000 00000000  ${uid}        0 12345 1`;
    const table = join(dir, 'tcp');
    const loop = word([127, 0, 0, 1]);
    const other = word([127, 0, 0, 2]);
    await writeFile(
      table,
      [
        '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
        // The listener's own socket for the connection, and a socket from another loopback address with the same ports.
        entry(`${loop}:1F90`, `${loop}:D431`, 1000),
        entry(`${other}:D431`, `${loop}:1F90`, 2000),
        entry(`${loop}:D431`, `${loop}:1F90`, 65534),
      ].join('\n'),
    );
    const ends = { localAddress: '127.0.0.1', localPort: 0x1f90, remoteAddress: '127.0.0.1', remotePort: 0xd431 };
    expect(await peerUid(ends, [table])).toBe(65534);
    expect(await peerUid({ ...ends, remoteAddress: '127.0.0.2' }, [table])).toBe(2000);
    expect(await peerUid({ ...ends, remotePort: 1 }, [table])).toBeUndefined();
    expect(await peerUid(ends, [join(dir, 'missing')])).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')("names this process's own account for a real connection", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const socket = await accepted;
    try {
      expect(await peerUid(socket)).toBe(process.getuid!());
    } finally {
      socket.destroy();
      client.destroy();
      server.close();
    }
  });
});
