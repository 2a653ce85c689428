// Failed connections in words: real fetches to 127.0.0.1 (a closed port, a blocked port, a server
// that never answers, an untrusted certificate) and to a host name that cannot exist (.invalid).
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServers } from '../../src/config/resolve.js';
import { connect } from '../../src/mcp/connect.js';
import { networkProblem } from '../../src/network-failure.js';
import { checkProviderKey } from '../../src/validation/providers.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls.js';

const failureOf = (url: string, timeoutMs?: number) =>
  fetch(url, timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }).then(
    () => {
      throw new Error(`${url} answered`);
    },
    (error: unknown) => error,
  );

const listen = async (server: Server | ReturnType<typeof createHttpsServer>) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
};

let closedPort: number;
let silent: Server;
const sockets: Socket[] = [];
let silentPort: number;
let certs: TestCertificates;
let tls: ReturnType<typeof createHttpsServer>;
let tlsPort: number;
beforeAll(async () => {
  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise<void>((r) => probe.close(() => r()));
  silent = createServer((socket) => sockets.push(socket)); // accepts, never answers
  silentPort = await listen(silent);
  certs = await makeTestCertificates();
  tls = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert }, (_req, res) => res.end('ok'));
  tlsPort = await listen(tls);
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
  tls.closeAllConnections();
  await new Promise<void>((r) => tls.close(() => r()));
  await certs.cleanup();
});

describe('networkProblem', () => {
  it('says host not found, connection refused, a blocked port, timed out and TLS certificate not trusted', async () => {
    expect(networkProblem(await failureOf('http://no-such-host.invalid/'))).toMatch(/^host not found/);
    expect(networkProblem(await failureOf(`http://127.0.0.1:${closedPort}/`))).toBe('connection refused');
    expect(networkProblem(await failureOf('http://127.0.0.1:9/'), 'http://127.0.0.1:9/')).toBe(
      'port 9 is blocked: fetch never connects to the ports of other protocols; use another port',
    );
    expect(networkProblem(await failureOf(`http://127.0.0.1:${silentPort}/`, 300), undefined, 300)).toBe('timed out (no answer within 0.3 s)');
    expect(networkProblem(await failureOf(`https://127.0.0.1:${tlsPort}/`))).toMatch(
      /^TLS certificate not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)$/,
    );
    expect(networkProblem(new Error('something else'))).toBeUndefined();
  });
});

describe('where the words are used', () => {
  it('token validate of a provider key says host not found, not ENOTFOUND', async () => {
    const target = { provider: 'openai', api: 'openai' as const, baseUrl: 'http://no-such-host.invalid/v1' };
    const check = await checkProviderKey(target, 'SENTINEL-key', {}, 5000);
    expect(check).toMatchObject({ result: 'error' });
    expect(check.detail).toMatch(/^GET http:\/\/no-such-host\.invalid\/v1\/models: host not found/);
    const closed = await checkProviderKey({ ...target, baseUrl: `http://127.0.0.1:${closedPort}/v1` }, 'SENTINEL-key', {}, 5000);
    expect(closed.detail).toBe(`GET http://127.0.0.1:${closedPort}/v1/models: connection refused`);
    const slow = await checkProviderKey({ ...target, baseUrl: `http://127.0.0.1:${silentPort}/v1` }, 'SENTINEL-key', {}, 300);
    expect(slow.detail).toBe(`GET http://127.0.0.1:${silentPort}/v1/models: timed out (no answer within 0.3 s)`);
  });

  it('ping, run and the other server commands say cannot reach server, with why, never a bare fetch failed', async () => {
    const reach = async (url: string) => {
      const [server] = await resolveServers({ s: { transport: 'streamable-http', url, headers: {} } }, ['s'], {
        lookup: async () => undefined,
        env: {},
        now: new Date(),
      });
      return ((await connect(server!, { env: {}, stderr: new PassThrough() }).catch((e: unknown) => e)) as Error).message;
    };
    expect(await reach('http://no-such-host.invalid/mcp')).toBe("cannot reach server 's' at http://no-such-host.invalid/mcp: host not found");
    expect(await reach('http://127.0.0.1:9/mcp')).toBe(
      "cannot reach server 's' at http://127.0.0.1:9/mcp: port 9 is blocked: fetch never connects to the ports of other protocols; use another port",
    );
    expect(await reach(`http://127.0.0.1:${closedPort}/mcp`)).toBe(`cannot reach server 's' at http://127.0.0.1:${closedPort}/mcp: connection refused`);
  });
});
