// Mutual TLS and OAuth on one server, through the built CLI: the OAuth login's bearer token travels
// over the connection that presents the stored client certificate, whether the entry has an
// "oauth" block or the server's 401 advertises OAuth (RFC 9728); token validate checks the pair.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../helpers/certs.js';
import { createSandbox, type Sandbox, writeOwnConfig } from '../helpers/cli.js';
import { sandboxTokenStore } from '../helpers/oauth-cli.js';
import { startTestMtlsServer, type TestMtlsServer } from '../helpers/mtls-server.js';

const ACCESS_TOKEN = 'SENTINEL-oauth-over-mtls-3f9';

describe('OAuth over mutual TLS', () => {
  let pkiDir: string;
  let server: TestMtlsServer;
  let sandbox: Sandbox;
  const outputs: string[] = [];
  const run = async (args: string[]) => {
    const r = await sandbox.run(args);
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  beforeAll(async () => {
    pkiDir = await mkdtemp(join(tmpdir(), 'mcp-cli-mtls-oauth-'));
    const pki = makeTestPki(pkiDir);
    server = await startTestMtlsServer(pki, { bearer: ACCESS_TOKEN });
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'mtls-oauth-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
    const set = await run(['token', 'set', 'corp-mtls', '--type', 'client-cert', '--cert', pki.clientCert, '--key', pki.clientKey, '--ca', pki.caCert]);
    expect(set.code, set.stderr).toBe(0);
    // Logins as `auth login` stores them; the issuer is never contacted (no refresh token, far expiry).
    const store = await sandboxTokenStore(sandbox);
    const now = new Date().toISOString();
    for (const name of ['corp', 'found']) {
      await store.put({
        metadata: {
          name,
          namespace: 'oauth',
          type: 'oauth',
          createdAt: now,
          updatedAt: now,
          expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          details: { issuer: 'https://as.invalid/', tokenType: 'Bearer', issuedAt: now, resource: server.url },
        },
        secret: { accessToken: ACCESS_TOKEN },
      });
    }
    const tls = { cert: '${TOKEN:generic:corp-mtls:cert}', key: '${TOKEN:generic:corp-mtls:key}', ca: '${TOKEN:generic:corp-mtls:ca}' };
    await writeOwnConfig(
      sandbox.home,
      JSON.stringify({
        mcpServers: {
          corp: { url: server.url, tls, oauth: {} },
          found: { url: server.url, tls },
          'no-login': { url: server.url, tls, oauth: {} },
        },
      }),
    );
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.cleanup();
    await rm(pkiDir, { recursive: true, force: true });
  });

  it('an entry with an oauth block sends the stored token from the first request, with the client certificate', async () => {
    const before = server.authorizations.length;
    const r = await run(['tools', 'corp']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('echo\tmessage: string\tEcho a message back\n');
    const seen = server.authorizations.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((a) => a === `Bearer ${ACCESS_TOKEN}`)).toBe(true);
    expect(server.clients.slice(before).every((cn) => cn === 'mcp-cli test client')).toBe(true);
  });

  it('an entry without one logs in once the 401 advertises OAuth, still over mutual TLS', async () => {
    const before = server.authorizations.length;
    const r = await run(['call', 'found', 'echo', '--args', '{"message":"hi"}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('hi');
    const seen = server.authorizations.slice(before);
    expect(seen[0]).toBe('');
    expect(seen.slice(1).length).toBeGreaterThan(0);
    expect(seen.slice(1).every((a) => a === `Bearer ${ACCESS_TOKEN}`)).toBe(true);
    expect(server.clients.slice(before).every((cn) => cn === 'mcp-cli test client')).toBe(true);
  });

  it('without a stored login the certificate is accepted and the command exits 4 asking for a login', async () => {
    const r = await run(['ping', 'no-login']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('mcp-cli auth login no-login');
  });

  it('token validate checks the login against the server over mutual TLS, and never starts a login', async () => {
    const r = await run(['token', 'validate', 'corp', '--namespace', 'oauth', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [token] = (JSON.parse(r.stdout) as { tokens: { result: string; checks: { check: string; target: string | null; result: string }[] }[] }).tokens;
    expect(token!.result).toBe('passed');
    expect(token!.checks.map((c) => [c.check, c.target, c.result])).toEqual([
      ['expiry', null, 'passed'],
      ['oauth-refresh', 'https://as.invalid/', 'skipped'],
      ['server', 'corp', 'passed'],
    ]);
  });

  it('no token or key appears in any output or file', async () => {
    for (const text of outputs) {
      expect(text).not.toContain('SENTINEL');
      expect(text).not.toContain('PRIVATE KEY');
    }
    for (const entry of await readdir(sandbox.home, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      expect((await readFile(join(entry.parentPath, entry.name))).includes('SENTINEL'), entry.name).toBe(false);
    }
  });
});
