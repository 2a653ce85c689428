// Mutual TLS through the built CLI: a client-cert token referenced from "tls" in server_config.json,
// presented to a real MCP server behind node:https that demands a certificate from the test CA.
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../helpers/certs.js';
import { createSandbox, type Sandbox, writeOwnConfig } from '../helpers/cli.js';
import { startTestMtlsServer, type TestMtlsServer } from '../helpers/mtls-server.js';

describe('mutual TLS to an HTTPS MCP server', () => {
  let pkiDir: string;
  let pki: TestPki;
  let rogue: TestPki;
  let server: TestMtlsServer;
  let sandbox: Sandbox;
  /** A line from the middle of the private key: what a leak would contain. */
  let keyLine: string;

  const ref = (name: string, field: string) => `\${TOKEN:generic:${name}:${field}}`;

  beforeAll(async () => {
    pkiDir = await mkdtemp(join(tmpdir(), 'mcp-cli-mtls-'));
    await mkdir(join(pkiDir, 'good'));
    await mkdir(join(pkiDir, 'rogue'));
    pki = makeTestPki(join(pkiDir, 'good'));
    rogue = makeTestPki(join(pkiDir, 'rogue'));
    keyLine = (await readFile(pki.clientKey, 'utf8')).split('\n')[1]!;
    server = await startTestMtlsServer(pki);
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'mtls-test-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
    // Any temporary file the CLI wrote would land here, inside the scanned sandbox.
    await mkdir(join(sandbox.home, 'tmp'));
    sandbox.env.TMPDIR = join(sandbox.home, 'tmp');
    for (const [name, p] of [
      ['corp-mtls', pki],
      ['rogue-mtls', rogue],
    ] as const) {
      const set = await sandbox.run(['token', 'set', name, '--type', 'client-cert', '--cert', p.clientCert, '--key', p.clientKey, '--ca', pki.caCert]);
      expect(set.code, set.stderr).toBe(0);
    }
    await writeOwnConfig(
      sandbox.home,
      JSON.stringify({
        mcpServers: {
          corp: { url: server.url, tls: { cert: ref('corp-mtls', 'cert'), key: ref('corp-mtls', 'key'), ca: ref('corp-mtls', 'ca') } },
          'corp-2025': {
            url: server.url,
            protocol: '2025-11-25',
            tls: { cert: ref('corp-mtls', 'cert'), key: ref('corp-mtls', 'key'), ca: ref('corp-mtls', 'ca') },
          },
          'no-cert': { url: server.url, tls: { ca: ref('corp-mtls', 'ca') } },
          rogue: { url: server.url, tls: { cert: ref('rogue-mtls', 'cert'), key: ref('rogue-mtls', 'key'), ca: ref('corp-mtls', 'ca') } },
          untrusted: { url: server.url, tls: { cert: ref('corp-mtls', 'cert'), key: ref('corp-mtls', 'key') } },
        },
      }),
    );
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.cleanup();
    await rm(pkiDir, { recursive: true, force: true });
  });

  const noKey = (...texts: string[]) => {
    for (const t of texts) {
      expect(t).not.toContain(keyLine);
      expect(t).not.toContain('PRIVATE KEY');
    }
  };

  it('tools succeeds when the entry presents the stored certificate', async () => {
    const r = await sandbox.run(['tools', 'corp']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('echo\tmessage: string\tEcho a message back\n');
    expect(server.clients).toContain('mcp-cli test client');
    noKey(r.stdout, r.stderr);
  });

  it.each([
    ['corp', '2026-07-28'],
    ['corp-2025', '2025-11-25'],
  ])('%s speaks %s over mutual TLS: ping and call', async (name, version) => {
    const ping = await sandbox.run(['ping', name, '--json']);
    expect(ping.code, ping.stderr).toBe(0);
    expect(JSON.parse(ping.stdout)).toMatchObject({ protocolVersion: version });
    const call = await sandbox.run(['call', name, 'echo', '--args', '{"message":"over tls"}']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout).toBe('over tls\n');
    noKey(ping.stdout, ping.stderr, call.stdout, call.stderr);
  });

  it('without a certificate the handshake fails with exit 4 and says what to do', async () => {
    const before = server.clients.length;
    const r = await sandbox.run(['tools', 'no-cert']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(
      /server 'no-cert' \(https:\/\/127\.0\.0\.1:\d+\/mcp\) requires a TLS client certificate \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\)/,
    );
    expect(r.stderr).toContain('--type client-cert');
    expect(r.stdout).toBe('');
    expect(server.clients.length).toBe(before);
  });

  it('a certificate from another CA is refused with exit 4', async () => {
    const r = await sandbox.run(['ping', 'rogue']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(
      /server 'rogue' \(https:\/\/127\.0\.0\.1:\d+\/mcp\) closed the connection without answering: it most likely refused the client certificate/,
    );
    noKey(r.stdout, r.stderr);
  });

  it('a server whose CA is not given is not trusted (exit 1, hint to tls.ca)', async () => {
    const r = await sandbox.run(['ping', 'untrusted']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('presented a certificate that is not trusted');
    expect(r.stderr).toContain('tls.ca');
  });

  it('config show masks the certificate fields', async () => {
    const r = await sandbox.run(['config', 'show', 'corp', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const shown = JSON.parse(r.stdout) as { mcpServers: Record<string, { tls: Record<string, string> }> };
    expect(shown.mcpServers.corp!.tls).toEqual({
      cert: '<TOKEN:generic:corp-mtls:cert>',
      key: '<TOKEN:generic:corp-mtls:key>',
      ca: '<TOKEN:generic:corp-mtls:ca>',
    });
    noKey(r.stdout, r.stderr);
  });

  it('the key is written nowhere in plaintext: not in the sandbox, not in its TMPDIR', async () => {
    const hits: string[] = [];
    for (const entry of await readdir(sandbox.home, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      if ((await readFile(path, 'utf8')).includes(keyLine)) hits.push(path);
    }
    expect(hits).toEqual([]);
    expect(await readdir(join(sandbox.home, 'tmp'))).toEqual([]);
  });
});
