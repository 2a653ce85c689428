// Expiry notices: resolving a config or connecting warns on stderr about tokens it uses that expire soon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, writeOwnConfig } from '../helpers/cli.js';
import { startTestMcpHttpServer, type TestMcpHttpServer } from '../helpers/mcp-servers.js';

const SOON = 'soon-SENTINEL-41aa';
const LATER = 'later-SENTINEL-9f02';
const NOTICE_SOON = /^! token 'soon' \(namespace 'bearer', used by server 'web'\) expires in [23]d, at \d{4}-\d\d-\d\dT[\d:.]+Z$/m;
const NOTICE_LATER = /^! token 'later' \(namespace 'bearer', used by servers 'web', 'other'\) expires in (29|30)d, at /m;

describe('expiry notices on stderr', () => {
  let sandbox: Sandbox;
  let http: TestMcpHttpServer;
  const writeConfig = (extra: Record<string, unknown> = {}) =>
    writeOwnConfig(
      sandbox.home,
      JSON.stringify({
        mcpServers: {
          web: {
            url: http.url,
            headers: { Authorization: 'Bearer ${TOKEN:bearer:soon}', 'X-Later': '${TOKEN:bearer:later}', 'X-Again': '${TOKEN:bearer:soon}' },
          },
          other: { url: http.url, headers: { 'X-Later': '${TOKEN:bearer:later}' } },
        },
        ...extra,
      }),
    );
  const noValues = (...texts: string[]) => {
    for (const t of texts) for (const s of [SOON, LATER]) expect(t).not.toContain(s);
  };

  beforeAll(async () => {
    http = await startTestMcpHttpServer({ token: SOON });
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'expiry-notice-test', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
    for (const [name, value, expires] of [
      ['soon', SOON, '3d'],
      ['later', LATER, '30d'],
    ] as const) {
      const set = await sandbox.run(['token', 'set', name, '--value', '-', '--expires', expires], { input: value });
      expect(set.code, set.stderr).toBe(0);
    }
    await writeConfig();
  });
  afterAll(async () => {
    await http?.close();
    await sandbox?.cleanup();
  });

  it('ping warns once about the token expiring within 7 days (the default), and still connects', async () => {
    const r = await sandbox.run(['ping', 'web']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(NOTICE_SOON);
    expect(r.stderr.match(/^! /gm)).toHaveLength(1);
    noValues(r.stdout, r.stderr);
  });

  it('config show warns too; the window comes from tokenExpiryWarning', async () => {
    await writeConfig({ tokenExpiryWarning: '45d' });
    const r = await sandbox.run(['config', 'show']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(NOTICE_SOON);
    expect(r.stderr).toMatch(NOTICE_LATER);
    expect(r.stderr.match(/^! /gm)).toHaveLength(2);
    noValues(r.stdout, r.stderr);
  });

  it('MCP_CLI_TOKEN_EXPIRY_WARNING overrides the file; "off" silences the notices', async () => {
    const narrow = await sandbox.run(['tools', 'web'], { env: { MCP_CLI_TOKEN_EXPIRY_WARNING: '1d' } });
    expect(narrow.code, narrow.stderr).toBe(0);
    expect(narrow.stderr).toBe('');
    const off = await sandbox.run(['call', 'web', 'echo', '--args', '{"message":"hi"}'], { env: { MCP_CLI_TOKEN_EXPIRY_WARNING: 'off' } });
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toBe('hi\n');
    expect(off.stderr).toBe('');
    const bad = await sandbox.run(['ping', 'web'], { env: { MCP_CLI_TOKEN_EXPIRY_WARNING: 'soon' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('MCP_CLI_TOKEN_EXPIRY_WARNING="soon" is not a duration');
  });

  it('servers marks and warns with the same window, reading no value', async () => {
    const r = await sandbox.run(['servers', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { servers } = JSON.parse(r.stdout) as { servers: { name: string; tokens: { name: string; status: string }[] }[] };
    expect(servers[0]!.tokens.map((t) => `${t.name} ${t.status}`)).toEqual(['soon expiring-soon', 'later expiring-soon']);
    expect(r.stderr).toMatch(NOTICE_SOON);
    expect(r.stderr).toMatch(NOTICE_LATER);
  });

  it('an invalid tokenExpiryWarning is a config error naming the field', async () => {
    await writeConfig({ tokenExpiryWarning: 'a week' });
    const r = await sandbox.run(['config', 'show']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('server_config.json: tokenExpiryWarning: expected a duration such as 7d, 12h or 2w, or "off"');
  });
});
