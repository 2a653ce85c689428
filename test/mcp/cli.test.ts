import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { sha256, startTestMcpHttpServer, STDIO_SERVER, TEST_SERVER_NAME, TEST_SERVER_VERSION, type TestMcpHttpServer } from '../helpers/mcp-servers.js';

// End to end through the built CLI: tokens stored with `token set`, servers from SDK pieces.
const SECRET = 'bearer-SENTINEL-93c1d0';
const STDIO_SECRET = 'stdio-SENTINEL-5b2e77';
const CORP_PASSWORD = 'corp-SENTINEL-pw';

describe('mcp-cli with server_config.json and real MCP servers', () => {
  let sandbox: Sandbox;
  let http: TestMcpHttpServer;

  const config = (servers: Record<string, unknown>) => writeOwnConfig(sandbox.home, { mcpServers: servers });
  const noSecrets = (...texts: string[]) => {
    for (const t of texts) for (const s of [SECRET, STDIO_SECRET, CORP_PASSWORD]) expect(t).not.toContain(s);
  };

  beforeAll(async () => {
    http = await startTestMcpHttpServer({ token: SECRET });
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'test-passphrase' }, { inProcess: true });
    for (const [name, value, extra] of [
      ['demo', SECRET, []],
      ['wrong', 'not-the-token', []],
      ['stdio-key', STDIO_SECRET, []],
      ['corp', CORP_PASSWORD, ['--type', 'basic', '--username', 'alice']],
    ] as const) {
      const set = await sandbox.run(['token', 'set', name, '--value', '-', ...extra], { input: value });
      expect(set.code, set.stderr).toBe(0);
    }
    await config({
      web: { url: http.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:demo}', 'X-Basic': 'Basic ${TOKEN:generic:corp:basic}' } },
      rejected: { url: http.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:wrong}' } },
      missing: { type: 'http', url: http.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:nope}' } },
      local: { command: process.execPath, args: [STDIO_SERVER], env: { API_KEY: '${TOKEN:bearer:stdio-key}' } },
    });
  });
  afterAll(async () => {
    await http.close();
    await sandbox.cleanup();
  });

  it('servers lists transports and token states without connecting', async () => {
    const before = http.authorizations.length;
    const r = await sandbox.run(['servers', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { servers } = JSON.parse(r.stdout) as { servers: { name: string; transport: string; tokens: { reference: string; status: string }[] }[] };
    expect(servers.map((s) => [s.name, s.transport, s.tokens.map((t) => `${t.reference} ${t.status}`)])).toEqual([
      ['web', 'streamable-http', ['${TOKEN:bearer:demo} present', '${TOKEN:generic:corp:basic} present']],
      ['rejected', 'streamable-http', ['${TOKEN:bearer:wrong} present']],
      ['missing', 'streamable-http', ['${TOKEN:bearer:nope} missing']],
      ['local', 'stdio', ['${TOKEN:bearer:stdio-key} present']],
    ]);
    expect(http.authorizations.length).toBe(before);
    noSecrets(r.stdout, r.stderr);
  });

  it('ping prints the server name, version and round trip', async () => {
    const r = await sandbox.run(['ping', 'web']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^${TEST_SERVER_NAME} ${TEST_SERVER_VERSION}: round trip \\d+\\.\\d ms \\(connect: \\d+ ms over streamable-http, protocol 2026-07-28\\)\\n$`),
    );
    expect(http.authorizations).toContain(`Bearer ${SECRET}`);
  });

  it('tools lists the tools with the right token', async () => {
    const r = await sandbox.run(['tools', 'web']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'echo\tmessage: string\tEcho a message back\ntoken-sha256\t\tSHA-256 of the bearer token this request carried\nwhoami\t\tEcho the bearer token back (a badly behaved server)\n',
    );
  });

  it('a wrong token gives exit 4 naming the reference to fix', async () => {
    const r = await sandbox.run(['tools', 'rejected']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("server 'rejected' answered HTTP 401: the credentials from ${TOKEN:bearer:wrong} (headers.Authorization) were rejected");
    expect(r.stdout).toBe('');
  });

  it('a missing token gives exit 4 and contacts nothing', async () => {
    const before = http.authorizations.length;
    const r = await sandbox.run(['ping', 'missing']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("server 'missing', headers.Authorization: ${TOKEN:bearer:nope}: no such token");
    expect(http.authorizations.length).toBe(before);
  });

  it('call prints a result, masking a secret the server echoes back', async () => {
    const echo = await sandbox.run(['call', 'web', 'echo', '--args', '{"message":"hello"}']);
    expect(echo.code, echo.stderr).toBe(0);
    expect(echo.stdout).toBe('hello\n');
    const whoami = await sandbox.run(['call', 'web', 'whoami', '--json']);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout).content[0].text).toBe('token=<redacted>');
    noSecrets(whoami.stdout, whoami.stderr);
  });

  it('a stdio server gets the resolved env, and its stderr is masked', async () => {
    const digest = await sandbox.run(['call', 'local', 'env-sha256', '--args', '{"name":"API_KEY"}']);
    expect(digest.code, digest.stderr).toBe(0);
    expect(digest.stdout).toBe(`${sha256(STDIO_SECRET)}\n`);
    const logged = await sandbox.run(['call', 'local', 'log-env', '--args', '{"name":"API_KEY"}']);
    expect(logged.code, logged.stderr).toBe(0);
    expect(logged.stderr).toContain('debug: API_KEY=<redacted>');
    const names = await sandbox.run(['call', 'local', 'env-names']);
    expect(names.stdout.split('\n')).not.toContain('MCP_CLI_ENCRYPTION_KEY');
    noSecrets(digest.stdout, digest.stderr, logged.stdout, logged.stderr, names.stdout);
  });

  it('config show resolves and masks every value', async () => {
    const r = await sandbox.run(['config', 'show', 'web', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).mcpServers.web).toEqual({
      transport: 'streamable-http',
      url: http.url,
      headers: { Authorization: 'Bearer <TOKEN:bearer:demo>', 'X-Basic': 'Basic <TOKEN:generic:corp:basic>' },
    });
    const all = await sandbox.run(['config', 'show']);
    // A display command: every entry shown, the missing token marked in place and named on stderr.
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('Authorization: Bearer <missing TOKEN:bearer:nope>');
    expect(all.stdout).toContain('Authorization: Bearer <TOKEN:bearer:demo>');
    expect(all.stderr).toContain("server 'missing', headers.Authorization: ${TOKEN:bearer:nope}: no such token");
    noSecrets(r.stdout, r.stderr, all.stdout, all.stderr);
  });

  it('a malformed reference is exit 1 naming server and field', async () => {
    const path = join(sandbox.home, 'bad.json');
    await writeFile(path, JSON.stringify({ mcpServers: { odd: { url: 'http://127.0.0.1:9/x', headers: { A: 'Bearer ${TOKEN:bearer}' } } } }));
    expect((await sandbox.run(['config', 'trust', path])).code).toBe(0);
    const r = await sandbox.run(['--config', path, 'ping', 'odd']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("server 'odd', headers.A: malformed reference at character 8");
  });

  it('invalid JSON names the line and column; a schema error names the JSON path', async () => {
    const path = join(sandbox.home, 'broken.json');
    await writeFile(path, '{\n  "mcpServers": {\n    "x": { "url": 42 }\n  }\n}\n');
    const schema = await sandbox.run(['--config', path, 'servers']);
    expect(schema.code).toBe(1);
    expect(schema.stderr).toBe(`error: ${path}: mcpServers.x.url: expected a string\n`);
    await writeFile(path, '{\n  "mcpServers": {\n    "x": { "url": secret }\n  }\n}\n');
    const json = await sandbox.run(['--config', path, 'servers']);
    expect(json.stderr).toBe(`error: ${path}:3:19: invalid JSON: unexpected character\n`);
  });
});
