import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';

// config show and servers are display commands: they show every entry and name the problems on stderr.
const SECRET = 'display-SENTINEL-4f1e';

describe('config show and servers name problems and go on', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'test-passphrase' }, { inProcess: true });
    for (const [name, extra] of [
      ['live', []],
      ['old', ['--expires', '2020-01-01']],
    ] as const) {
      const set = await sandbox.run(['token', 'set', name, '--type', 'bearer', '--value', '-', ...extra], { input: SECRET });
      expect(set.code, set.stderr).toBe(0);
    }
    await writeOwnConfig(sandbox.home, {
      mcpServers: {
        good: { url: 'https://good.example/mcp', headers: { Authorization: 'Bearer ${TOKEN:bearer:live}' } },
        gone: { url: 'https://gone.example/mcp', headers: { Authorization: 'Bearer ${TOKEN:bearer:nope}' } },
        stale: { command: 'server', env: { KEY: '${TOKEN:bearer:old}', HOME_DIR: '${UNSET_VARIABLE_FOR_TEST}' } },
        eaten: { url: 'https://eaten.example/mcp', headers: { Authorization: 'Bearer ' } },
        blank: { url: 'https://blank.example/mcp', headers: { authorization: '' } },
      },
    });
  });
  afterAll(() => sandbox.cleanup());

  it('config show marks what cannot be resolved in place, names it on stderr, and exits 0', async () => {
    const r = await sandbox.run(['config', 'show']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Authorization: Bearer <TOKEN:bearer:live>');
    expect(r.stdout).toContain('Authorization: Bearer <missing TOKEN:bearer:nope>');
    expect(r.stdout).toContain('KEY: <expired TOKEN:bearer:old>');
    expect(r.stdout).toContain('HOME_DIR: <missing UNSET_VARIABLE_FOR_TEST>');
    expect(r.stderr).toContain("! server 'gone', headers.Authorization: ${TOKEN:bearer:nope}: no such token");
    expect(r.stderr).toContain("! server 'stale', env.KEY: ${TOKEN:bearer:old}: the token expired at 2020-01-01");
    expect(r.stderr).toContain('environment variable UNSET_VARIABLE_FOR_TEST is not set');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('config show --json marks them too', async () => {
    const r = await sandbox.run(['config', 'show', 'gone', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).mcpServers.gone.headers).toEqual({ Authorization: 'Bearer <missing TOKEN:bearer:nope>' });
  });

  it('a connecting command still refuses a missing token (exit 4)', async () => {
    const r = await sandbox.run(['ping', 'gone']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('${TOKEN:bearer:nope}');
  });

  it('an Authorization header that is empty or only a scheme is warned about, by servers and by config show', async () => {
    for (const args of [['servers'], ['config', 'show']]) {
      const r = await sandbox.run(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(
        `! server 'eaten': its Authorization header is only "Bearer", with no credentials (did the shell eat a \${TOKEN:...} reference?`,
      );
      expect(r.stderr).toContain("! server 'blank': its authorization header is empty");
      expect(r.stderr).not.toContain("server 'good': its");
    }
  });
});

it('without a config file, the message names both places it looked, the config directory by its path', async () => {
  const bare = await createSandbox({}, { inProcess: true });
  try {
    const r = await bare.run(['servers']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no server_config.json found (looked in ${bare.home} and the config directory ${join(bare.home, '.config', 'mcp-cli')})`);
  } finally {
    await bare.cleanup();
  }
});
