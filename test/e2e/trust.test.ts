// A server_config.json that is not the user's own (./server_config.json, --config, MCP_CLI_CONFIG)
// decides nothing until approved: catching servers on 127.0.0.1 receive nothing, no file appears
// where it says, its command never starts. Then `config trust` and the same command works, and an
// edit makes the file unapproved again.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { startCatcher, type Catcher } from '../helpers/catcher.js';
import { startTestMcpHttpServer, type TestMcpHttpServer } from '../helpers/mcp-servers.js';
import { runInTerminal } from '../helpers/tty.js';

const KEY = 'sk-SENTINEL-openai-key-7f3a';
const VAULT_TOKEN = 'hvs.SENTINEL-vault-token';
const AWS = 'AWS-SENTINEL-secret-access-key';

let sandbox: Sandbox;
let catcher: Catcher;

beforeAll(async () => {
  catcher = await startCatcher();
});
afterAll(async () => {
  await catcher.close();
});
beforeEach(async () => {
  sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'correct horse', AWS_SECRET_ACCESS_KEY: AWS }, { inProcess: true });
  expect((await sandbox.run(['token', 'set', 'acme', '--type', 'api-key', '--provider', 'acme'], { input: KEY })).code).toBe(0);
  catcher.requests.length = 0;
});
afterEach(async () => {
  await sandbox.cleanup();
});

const repoConfig = (config: object) => writeFile(join(sandbox.home, 'server_config.json'), JSON.stringify(config, null, 2));
const NOT_APPROVED = /server_config\.json is not approved, so nothing in it was resolved, contacted or started/;

describe('an unapproved ./server_config.json', () => {
  it('token validate sends no stored key to its servers or its tokenValidation URLs; after config trust it does, after an edit it does not', async () => {
    const config = {
      mcpServers: { docs: { url: `${catcher.origin}/mcp`, headers: { 'X-Key': '${TOKEN:api-key:acme}' } } },
      tokenValidation: { providers: { acme: { baseUrl: `${catcher.origin}/v1`, api: 'openai' } } },
    };
    await repoConfig(config);
    const untrusted = await sandbox.run(['token', 'validate']);
    expect(untrusted.code, untrusted.stderr).toBe(0);
    expect(untrusted.stderr).toContain('server_config.json is not approved, so its servers and settings are not used (approve it: mcp-cli config trust');
    expect(untrusted.stdout).toMatch(/unchecked\tapi-key\tacme/);
    expect(catcher.requests).toEqual([]);

    const trust = await sandbox.run(['config', 'trust']);
    expect(trust.code, trust.stderr).toBe(0);
    expect(trust.stdout).toContain(`server "docs": connects to ${catcher.origin}/mcp`);
    expect(trust.stdout).toContain('uses the stored token ${TOKEN:api-key:acme} in headers.X-Key');
    expect(trust.stdout).toContain(`token validation: providers.acme.baseUrl "${catcher.origin}/v1"`);
    const trusted = await sandbox.run(['token', 'validate']);
    expect(trusted.stderr).toMatch(/Using config ~\/server_config\.json \(approved \d{4}-\d\d-\d\d\)/);
    expect(catcher.requests.some((r) => r.url === '/v1/models' && r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(catcher.requests.some((r) => r.url === '/mcp' && r.headers['x-key'] === KEY)).toBe(true);

    catcher.requests.length = 0;
    await repoConfig({ ...config, edited: true });
    const edited = await sandbox.run(['token', 'validate']);
    expect(edited.stderr).toContain('is not approved');
    expect(catcher.requests).toEqual([]);
    for (const r of [untrusted, trust, trusted, edited]) expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('its tokenStorage.vault sends neither the Vault token nor a stored value anywhere, for any command', async () => {
    await writeFile(join(sandbox.home, '.vault-token'), VAULT_TOKEN);
    await repoConfig({
      mcpServers: { docs: { url: `${catcher.origin}/mcp`, headers: { A: '${TOKEN:api-key:acme}' } } },
      tokenStorage: { backend: 'vault', vault: { address: catcher.origin, pathPrefix: 'stolen', tlsVerify: false } },
    });
    const list = await sandbox.run(['token', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('acme');
    expect(list.stderr).toContain('server_config.json is not approved, so its tokenStorage is not used');
    const set = await sandbox.run(['token', 'set', 'fresh', '--type', 'bearer'], { input: 'SENTINEL-new-value' });
    expect(set.code).toBe(0);
    expect(set.stderr).toContain('(encrypted backend)');
    const check = await sandbox.run(['token', 'check']);
    expect(check.code).toBe(0);
    for (const args of [['servers'], ['config', 'show'], ['ping', 'docs']]) {
      const r = await sandbox.run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(NOT_APPROVED);
      expect(r.stderr).toContain('hint: review it, then run: mcp-cli config trust');
    }
    expect(catcher.requests).toEqual([]);
  });

  it('its tokenStorage.encrypted.path writes no file where it says', async () => {
    const inRepo = join(sandbox.home, 'repo', 'tokens.enc');
    await repoConfig({ tokenStorage: { backend: 'encrypted', encrypted: { path: inRepo } } });
    expect((await sandbox.run(['token', 'set', 'x', '--type', 'bearer'], { input: 'SENTINEL-x' })).code).toBe(0);
    expect(existsSync(inRepo)).toBe(false);
    expect((await stat(join(sandbox.home, '.local', 'share', 'mcp-cli', 'tokens.enc'))).isFile()).toBe(true);
  });

  it('its environment references are not resolved and its URL not contacted', async () => {
    await repoConfig({ mcpServers: { leak: { url: `${catcher.origin}/mcp?k=\${AWS_SECRET_ACCESS_KEY}` } } });
    for (const args of [
      ['ping', 'leak'],
      ['tools', 'leak'],
      ['call', 'leak', 'echo'],
    ]) {
      const r = await sandbox.run(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(NOT_APPROVED);
      expect(r.stderr).not.toContain(AWS);
    }
    expect(catcher.requests).toEqual([]);
  });

  it('its stdio command is not started', async () => {
    const marker = join(sandbox.home, 'started');
    await repoConfig({
      mcpServers: {
        local: {
          command: process.execPath,
          args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, process.env.T ?? '')`],
          env: { T: '${TOKEN:api-key:acme}' },
        },
      },
    });
    for (const args of [
      ['ping', 'local'],
      ['tools', 'local'],
      ['call', 'local', 'x'],
      ['config', 'show', 'local'],
    ])
      expect((await sandbox.run(args)).code).toBe(1);
    expect(existsSync(marker)).toBe(false);
  });

  it("--config and MCP_CLI_CONFIG name files that need approval too; the user's own file does not", async () => {
    const other = join(sandbox.home, 'elsewhere.json');
    await writeFile(other, JSON.stringify({ mcpServers: { docs: { url: `${catcher.origin}/mcp` } } }));
    expect((await sandbox.run(['--config', other, 'ping', 'docs'])).stderr).toMatch(/elsewhere\.json is not approved/);
    expect((await sandbox.run(['ping', 'docs'], { env: { MCP_CLI_CONFIG: other } })).stderr).toMatch(/elsewhere\.json is not approved/);
    expect(catcher.requests).toEqual([]);
    const own = await writeOwnConfig(sandbox.home, { mcpServers: { docs: { url: `${catcher.origin}/mcp` } } });
    const ownPing = await sandbox.run(['--config', own, 'ping', 'docs']);
    expect(ownPing.stderr).not.toContain('approved');
    expect(catcher.requests.length).toBeGreaterThan(0);
    const trust = await sandbox.run(['config', 'trust', own]);
    expect(trust.stderr).toContain('is your own config file (in the config directory); it needs no approval');
  });

  it('config trust refuses a file that is not valid, and untrust and --list complete the set', async () => {
    await writeFile(join(sandbox.home, 'server_config.json'), '{ "mcpServers": ');
    const bad = await sandbox.run(['config', 'trust']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('invalid JSON');
    await repoConfig({ mcpServers: {} });
    expect((await sandbox.run(['config', 'trust'])).code).toBe(0);
    const listed = JSON.parse((await sandbox.run(['config', 'trust', '--list', '--json'])).stdout) as { path: string; status: string }[];
    expect(listed).toEqual([expect.objectContaining({ path: join(sandbox.home, 'server_config.json'), status: 'approved' })]);
    await repoConfig({ mcpServers: { x: { command: 'true' } } });
    expect(JSON.parse((await sandbox.run(['config', 'trust', '--list', '--json'])).stdout)[0].status).toBe('changed');
    const approvals = join(sandbox.home, '.local', 'state', 'mcp-cli', 'approved-configs.json');
    expect((await stat(approvals)).mode & 0o777).toBe(0o600);
    expect((await sandbox.run(['config', 'untrust'])).code).toBe(0);
    expect(JSON.parse((await readFile(approvals, 'utf8')).toString()).approvals).toEqual([]);
    const again = await sandbox.run(['config', 'untrust']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not approved');
  });

  it('an approved file that relaxes Vault TLS gets a warning, as VAULT_SKIP_VERIFY does', async () => {
    await repoConfig({ tokenStorage: { backend: 'vault', vault: { address: 'https://127.0.0.1:1', tlsVerify: false } } });
    expect((await sandbox.run(['config', 'trust'])).code).toBe(0);
    const r = await sandbox.run(['token', 'list'], { env: { VAULT_TOKEN: VAULT_TOKEN } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('! TLS certificate verification of Vault at https://127.0.0.1:1 is off (tokenStorage.vault.tlsVerify)');
    const skip = await sandbox.run(['--token-backend', 'vault', 'token', 'list'], {
      env: { VAULT_TOKEN: VAULT_TOKEN, VAULT_ADDR: 'https://127.0.0.1:1', VAULT_SKIP_VERIFY: 'true', MCP_CLI_CONFIG: '' },
    });
    expect(skip.stderr).toContain('is off (VAULT_SKIP_VERIFY)');
    expect(r.stderr + skip.stderr).not.toContain(VAULT_TOKEN);
  });
});

describe('what an approval is pinned to, and what a config file is', () => {
  it('a link to an approved file elsewhere is not approved, and its command does not start', async () => {
    const marker = join(sandbox.home, 'started');
    const good = join(sandbox.home, 'good');
    const repo = join(sandbox.home, 'repo');
    await mkdir(good);
    await mkdir(repo);
    await writeFile(join(good, 'server_config.json'), JSON.stringify({ mcpServers: { x: { command: process.execPath, args: ['run.js'] } } }));
    await writeFile(join(repo, 'run.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, process.cwd())`);
    expect((await sandbox.run(['config', 'trust'], { cwd: good })).code).toBe(0);
    await symlink(join('..', 'good', 'server_config.json'), join(repo, 'server_config.json'));
    const r = await sandbox.run(['ping', 'x'], { cwd: repo });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/repo\/server_config\.json \(a link to ~\/good\/server_config\.json\) is not approved/);
    expect(existsSync(marker)).toBe(false);
  });

  it("a stdio server without cwd starts in its config file's directory, not where mcp-cli runs", async () => {
    const where = join(sandbox.home, '.config', 'mcp-cli', 'where');
    await writeOwnConfig(sandbox.home, {
      mcpServers: { x: { command: process.execPath, args: ['-e', "require('fs').writeFileSync('where', process.cwd())"] } },
    });
    const repo = join(sandbox.home, 'repo');
    await mkdir(repo);
    await sandbox.run(['ping', 'x'], { cwd: repo, timeoutMs: 10_000 });
    expect(await readFile(where, 'utf8')).toBe(join(sandbox.home, '.config', 'mcp-cli'));
    expect(existsSync(join(repo, 'where'))).toBe(false);
  });

  it('a FIFO, a device or an oversized file named server_config.json is refused unread, without hanging', async () => {
    const config = join(sandbox.home, 'server_config.json');
    execFileSync('mkfifo', [config]);
    const fifo = await sandbox.run(['token', 'list'], { timeoutMs: 10_000 });
    expect(fifo.code).toBe(1);
    expect(fifo.stderr).toContain(`cannot read the config file ${config}: it is not a regular file`);
    await rm(config);
    await symlink('/dev/zero', config);
    expect((await sandbox.run(['servers'], { timeoutMs: 10_000 })).stderr).toContain('it is not a regular file');
    await rm(config);
    await writeFile(config, ' '.repeat(2 * 1024 * 1024));
    expect((await sandbox.run(['servers'])).stderr).toContain('is larger than 1 MiB; it was not read');
  });

  it('a file nested deeper than 100 levels is refused with the limit by config trust and every command, never a stack overflow', async () => {
    const nested = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const limit = /server_config\.json:1:\d+: objects and arrays nested more than 100 deep \(mcp-cli reads at most 100 levels\)/;
    for (const text of [
      `{"mcpServers": {"docs": {"url": "${catcher.origin}/mcp", "disabled": ${nested}}}}`,
      `{"mcpServers": {"docs": {"url": "${catcher.origin}/mcp", "oauth": ${nested}}}}`,
      `{"mcpServers": {}, "tokenStorage": ${nested}}`,
    ]) {
      await writeFile(join(sandbox.home, 'server_config.json'), text);
      for (const args of [['config', 'trust'], ['ping', 'docs'], ['servers']]) {
        const r = await sandbox.run(args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toMatch(limit);
        expect(r.stderr).not.toContain('call stack');
      }
    }
    const own = await writeOwnConfig(sandbox.home, `{"mcpServers": {"docs": {"url": "${catcher.origin}/mcp", "x": ${nested}}}}`);
    const run = await sandbox.run(['run', 'docs']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${own}:1:`);
    expect(run.stderr).toMatch(/objects and arrays nested more than 100 deep/);
    expect(catcher.requests).toEqual([]);
    expect(JSON.parse((await sandbox.run(['config', 'trust', '--list', '--json'])).stdout)).toEqual([]);
  });

  it('in a terminal, the summary of a file nested too deep says why it cannot be approved, and the token command goes on without it', async () => {
    await writeFile(join(sandbox.home, 'server_config.json'), `{"mcpServers": {}, "tokenStorage": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`);
    const r = await runInTerminal(['token', 'list'], [], { env: sandbox.env, cwd: sandbox.home });
    expect(r.stdout).toMatch(/It cannot be approved: .*server_config\.json:1:\d+: objects and arrays nested more than 100 deep/);
    expect(r.stdout).not.toContain('call stack');
    expect(r.stdout).toContain('acme');
    expect(r.code).toBe(0);
  });

  it('a newline in a URL or a key cannot fake a line of the summary', async () => {
    await repoConfig({
      mcpServers: {
        docs: {
          url: 'https://evil.example/#\n  server "docs": connects to https://docs.example.com/mcp',
          headers: { 'X\n  (no tokens)': '${TOKEN:api-key:acme}' },
        },
      },
    });
    const r = await sandbox.run(['config', 'trust']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.includes('server "docs"'))).toHaveLength(1);
    expect(lines.some((l) => l.trim() === '(no tokens)')).toBe(false);
    expect(r.stdout).toContain('connects to "https://evil.example/#\\n  server');
  });
});

describe("the seed's workflow in a terminal", () => {
  let http: TestMcpHttpServer;
  beforeAll(async () => {
    http = await startTestMcpHttpServer({ token: 'SENTINEL-service-token' });
  });
  afterAll(async () => {
    await http.close();
  });

  it('a user writes ./server_config.json, runs ping in a terminal, answers yes once; later commands ask nothing', async () => {
    expect((await sandbox.run(['token', 'set', 'my-service', '--type', 'bearer'], { input: 'SENTINEL-service-token' })).code).toBe(0);
    await repoConfig({ mcpServers: { 'my-service': { url: http.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:my-service}' } } } });
    const first = await runInTerminal(['ping', 'my-service'], [{ after: 'Trust this file and let mcp-cli act on it? [y/N]', type: 'y\r' }], {
      env: sandbox.env,
      cwd: sandbox.home,
    });
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toContain('is not your own config file and has not been approved');
    expect(first.stdout).toContain(`server "my-service": connects to ${http.url}`);
    expect(first.stdout).toMatch(/round trip/);
    const later = await sandbox.run(['tools', 'my-service']);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toContain('echo');
    expect(later.stderr).toMatch(/^Using config ~\/server_config\.json \(approved/);
    expect(first.stdout + later.stdout + later.stderr).not.toContain('SENTINEL-service-token');
  });

  it('answering no (the default) stops the command with exit 2 and contacts nothing', async () => {
    await repoConfig({ mcpServers: { docs: { url: `${catcher.origin}/mcp` } } });
    const r = await runInTerminal(['ping', 'docs'], [{ after: '[y/N]', type: '\r' }], { env: sandbox.env, cwd: sandbox.home });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(NOT_APPROVED);
    expect(catcher.requests).toEqual([]);
  });
});
