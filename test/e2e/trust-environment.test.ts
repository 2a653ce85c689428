// What an MCP client's entry can put into the environment of `mcp-cli run` (a project's .mcp.json or
// .vscode/mcp.json sets it) decides nothing about trust: MCP_CLI_CONFIG_DIR, XDG_CONFIG_HOME or HOME
// pointed into a repository make its server_config.json no one's own, XDG_STATE_HOME or HOME there
// bring no forged approvals, references to mcp-cli's own credentials are refused everywhere, and a
// moved audit log is named and leaves a trace in the default one. Each CLI here is a separate process,
// which sees the sandbox as its account's home through the user database (test/helpers/cli.ts).
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvalDigest } from '../../src/config/approvals.js';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { plainToken, seedTokens } from '../helpers/seed-store.js';
import { runInTerminal } from '../helpers/tty.js';

const KEY = 'sk-SENTINEL-env-trust-5c1e9a';
const PASSPHRASE = 'SENTINEL-passphrase-3b77';
const CREDENTIALS = {
  MCP_CLI_ENCRYPTION_KEY: PASSPHRASE,
  MCP_CLI_NEW_ENCRYPTION_KEY: 'SENTINEL-new-passphrase-91aa',
  MCP_CLI_EXPORT_PASSPHRASE: 'SENTINEL-export-passphrase-0c4d',
  VAULT_TOKEN: 'hvs.SENTINEL-vault-token-7e21',
};
const NOT_APPROVED = /is not approved, so nothing in it was resolved, contacted or started/;

let sandbox: Sandbox;
let repo: string;
let marker: string;

beforeEach(async () => {
  sandbox = await createSandbox({ ...CREDENTIALS, MCP_CLI_TOKEN_BACKEND: 'encrypted' });
  repo = join(sandbox.home, 'repo');
  marker = join(sandbox.home, 'started');
  await mkdir(repo);
  await seedTokens(sandbox.env.XDG_DATA_HOME!, PASSPHRASE, [plainToken('api-key', 'acme', KEY)]);
});
afterEach(async () => {
  await sandbox.cleanup();
});

/** A stdio server that, once started, writes what its variable T holds to the marker file, and exits. */
const recorder = (env: Record<string, string> = { T: '${TOKEN:api-key:acme}' }) => ({
  command: process.execPath,
  args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, process.env.T ?? '')`],
  env,
});

async function writeConfig(path: string, config: object): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

const leaked = (...texts: string[]) => [KEY, ...Object.values(CREDENTIALS)].filter((secret) => texts.some((t) => t.includes(secret)));

describe("a client entry's env that moves the config directory into a repository", () => {
  it.each([
    ['MCP_CLI_CONFIG_DIR', (repoDir: string) => ({ MCP_CLI_CONFIG_DIR: join(repoDir, 'cfg') }), 'cfg/server_config.json'],
    ['XDG_CONFIG_HOME', (repoDir: string) => ({ XDG_CONFIG_HOME: join(repoDir, 'xdg') }), 'xdg/mcp-cli/server_config.json'],
    ['HOME', (repoDir: string) => ({ HOME: repoDir, XDG_CONFIG_HOME: undefined }), '.config/mcp-cli/server_config.json'],
  ])('%s: its server_config.json is not trusted and its command never starts with a stored key', async (variable, envOf, file) => {
    await writeConfig(join(repo, file), { mcpServers: { evil: recorder() } });
    const r = await sandbox.run(['run', 'evil'], { env: envOf(repo), timeoutMs: 15_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(NOT_APPROVED);
    expect(r.stderr).toContain(`is in the config directory that ${variable} moved away from your own (~/.config/mcp-cli)`);
    expect(r.stderr).toContain(`hint: review it, then run: mcp-cli config trust ${join(repo, file)}`);
    expect(existsSync(marker)).toBe(false);
    expect(leaked(r.stdout, r.stderr)).toEqual([]);
  });

  it("HOME pointed elsewhere changes neither the user's own file nor what ~ means in messages", async () => {
    await writeOwnConfig(sandbox.home, { mcpServers: { mine: recorder() } });
    await writeConfig(join(repo, 'server_config.json'), { mcpServers: { mine: recorder() } });
    const r = await sandbox.run(['--config', join(repo, 'server_config.json'), 'ping', 'mine'], { env: { HOME: repo, XDG_CONFIG_HOME: undefined } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('~/repo/server_config.json is not approved');
    const own = await sandbox.run(['run', 'mine'], { env: { HOME: repo, XDG_CONFIG_HOME: join(sandbox.home, '.config') }, timeoutMs: 15_000 });
    expect(own.code, own.stderr).toBe(0);
    expect(await readFile(marker, 'utf8')).toBe(KEY);
  });
});

describe('approvals live under the account home, never where a variable says', () => {
  it.each([
    ['XDG_STATE_HOME', (repoDir: string) => ({ XDG_STATE_HOME: join(repoDir, 'state') }), 'state/mcp-cli/approved-configs.json'],
    ['HOME', (repoDir: string) => ({ HOME: repoDir, XDG_STATE_HOME: undefined }), '.local/state/mcp-cli/approved-configs.json'],
  ])('a forged approvals file that %s points at approves nothing', async (_variable, envOf, approvals) => {
    const config = await writeConfig(join(repo, 'server_config.json'), { mcpServers: { evil: recorder() } });
    const text = await readFile(config, 'utf8');
    const forged = { path: config, realPath: config, digest: approvalDigest({ path: config, realPath: config, text }), approvedAt: '2026-01-01T00:00:00.000Z' };
    await writeConfig(join(repo, approvals), { v: 1, approvals: [forged] });
    const r = await sandbox.run(['run', 'evil'], { env: { ...envOf(repo), MCP_CLI_CONFIG: config }, timeoutMs: 15_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(NOT_APPROVED);
    expect(existsSync(marker)).toBe(false);
    expect(leaked(r.stdout, r.stderr)).toEqual([]);
  });
});

describe('a config directory the user moved with XDG_CONFIG_HOME in their profile', () => {
  it('is approved once as a directory; its edits need no approval; a directory others may write to is approved by content only', async () => {
    const dotfiles = join(sandbox.home, 'dotfiles');
    const env = { XDG_CONFIG_HOME: dotfiles };
    const dir = join(dotfiles, 'mcp-cli');
    const config = await writeConfig(join(dir, 'server_config.json'), { mcpServers: { mine: recorder() } });
    await chmod(dir, 0o700);

    const before = await sandbox.run(['servers'], { env });
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('is in the config directory that XDG_CONFIG_HOME moved away from your own (~/.config/mcp-cli)');

    const trust = await sandbox.run(['config', 'trust'], { env });
    expect(trust.code, trust.stderr).toBe(0);
    expect(trust.stdout).toContain('uses the stored token ${TOKEN:api-key:acme} in env.T');
    expect(trust.stderr).toContain(`Approved the config directory ${dir} (from XDG_CONFIG_HOME): its server_config.json is used from now on, edits included`);
    expect((await sandbox.run(['run', 'mine'], { env, timeoutMs: 15_000 })).code).toBe(0);
    expect(await readFile(marker, 'utf8')).toBe(KEY);

    await writeConfig(config, { mcpServers: { mine: recorder({ T: 'edited ${TOKEN:api-key:acme}' }) } });
    const edited = await sandbox.run(['run', 'mine'], { env, timeoutMs: 15_000 });
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stderr).toBe('');
    expect(await readFile(marker, 'utf8')).toBe(`edited ${KEY}`);
    expect(JSON.parse((await sandbox.run(['config', 'trust', '--list', '--json'])).stdout)).toEqual([
      expect.objectContaining({ path: dir, kind: 'directory', status: 'approved' }),
    ]);

    await chmod(dir, 0o777);
    const open = await sandbox.run(['run', 'mine'], { env, timeoutMs: 15_000 });
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(NOT_APPROVED);
    expect(JSON.parse((await sandbox.run(['config', 'trust', '--list', '--json'])).stdout)[0].status).toBe('changed');
    const byContent = await sandbox.run(['config', 'trust'], { env });
    expect(byContent.stderr).toContain(`Approved ${config} as it is now, not its directory, because the directory may be written by others (mode 0777)`);
    expect((await sandbox.run(['run', 'mine'], { env, timeoutMs: 15_000 })).code).toBe(0);

    await chmod(dir, 0o700);
    expect((await sandbox.run(['config', 'untrust'], { env })).code).toBe(0);
    expect(JSON.parse((await sandbox.run(['config', 'trust', '--list', '--json'])).stdout)).toEqual([]);
    expect((await sandbox.run(['run', 'mine'], { env, timeoutMs: 15_000 })).code).toBe(1);
  });

  it('in a terminal, the prompt says which variable moved it, and yes approves the directory', async () => {
    const env = { ...sandbox.env, XDG_CONFIG_HOME: join(sandbox.home, 'dotfiles') };
    const dir = join(sandbox.home, 'dotfiles', 'mcp-cli');
    await writeConfig(join(dir, 'server_config.json'), { mcpServers: { mine: recorder() } });
    await chmod(dir, 0o700);
    const r = await runInTerminal(['servers'], [{ after: 'Trust this file and let mcp-cli act on it? [y/N]', type: 'y\r' }], { env, cwd: sandbox.home });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(
      '~/dotfiles/mcp-cli/server_config.json is in the config directory that XDG_CONFIG_HOME moved away from your own (~/.config/mcp-cli)',
    );
    expect(r.stdout).toContain(`Approved the config directory ${dir} (from XDG_CONFIG_HOME)`);
    expect(JSON.parse((await sandbox.run(['config', 'trust', '--list', '--json'])).stdout)).toEqual([expect.objectContaining({ kind: 'directory' })]);
  });
});

describe("references to mcp-cli's own credentials", () => {
  it.each(Object.keys(CREDENTIALS))('${%s} is refused in the user’s own config: nothing starts, and the value is nowhere', async (variable) => {
    await writeOwnConfig(sandbox.home, { mcpServers: { leak: recorder({ T: `x-\${${variable}:-none}` }) } });
    const r = await sandbox.run(['run', 'leak'], { timeoutMs: 15_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`server 'leak', env.T: \${${variable}} is mcp-cli's own credential`);
    expect(r.stderr).toContain('which no server or program gets through a reference; nothing was started or contacted');
    expect(existsSync(marker)).toBe(false);
    const show = await sandbox.run(['config', 'show', 'leak']);
    expect(show.code).toBe(1);
    expect(leaked(r.stdout, r.stderr, show.stdout, show.stderr)).toEqual([]);
  });

  it('are refused in exec --env and in env files, before the program starts', async () => {
    const program = ['--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, process.env.K ?? '')`];
    const option = await sandbox.run(['exec', '--env', 'K=${VAULT_TOKEN}', ...program]);
    expect(option.code).toBe(1);
    expect(option.stderr).toContain("--env K: ${VAULT_TOKEN} is mcp-cli's own credential (the token of the Vault backend)");
    const envFile = join(repo, '.env.mcp');
    await writeFile(envFile, 'OK=${TOKEN:api-key:acme}\nK="${MCP_CLI_ENCRYPTION_KEY}"\n');
    const file = await sandbox.run(['exec', '--env-file', envFile, ...program]);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain(`K (${envFile}:2): \${MCP_CLI_ENCRYPTION_KEY} is mcp-cli's own credential (the passphrase of the encrypted token file)`);
    expect(existsSync(marker)).toBe(false);
    expect(leaked(option.stdout, option.stderr, file.stdout, file.stderr)).toEqual([]);
    // A literal value is the user's to give.
    expect((await sandbox.run(['exec', '--env', 'K=literal', ...program])).code).toBe(0);
    expect(await readFile(marker, 'utf8')).toBe('literal');
  });

  it('config trust points them out, and every other ${VAR} with where its value goes', async () => {
    await writeConfig(join(repo, 'server_config.json'), {
      mcpServers: { docs: { url: 'https://docs.example/mcp', headers: { A: '${AWS_SECRET_ACCESS_KEY}', B: 'Bearer ${VAULT_TOKEN}' } } },
    });
    const r = await sandbox.run(['config', 'trust'], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('uses your environment variable ${AWS_SECRET_ACCESS_KEY} in headers.A: its value in your environment goes to this server');
    expect(r.stdout).toContain("uses mcp-cli's own credential ${VAULT_TOKEN} in headers.B: refused, so nothing of this server is started or contacted");
  });
});

describe('an audit log moved by a variable', () => {
  it('is named by token audit --verify and token backends, and the default log keeps a trace of each process that wrote elsewhere', async () => {
    const elsewhere = join(repo, 'audit.log');
    const moved = { MCP_CLI_AUDIT_LOG: elsewhere };
    await writeOwnConfig(sandbox.home, { mcpServers: { mine: recorder() } });
    expect((await sandbox.run(['run', 'mine'], { env: moved, timeoutMs: 15_000 })).code).toBe(0);
    expect(await readFile(elsewhere, 'utf8')).toContain('"purpose":"resolved"');

    const verifyMoved = await sandbox.run(['token', 'audit', '--verify'], { env: moved });
    expect(verifyMoved.code, verifyMoved.stderr).toBe(0);
    expect(verifyMoved.stderr).toContain('(~/repo/audit.log, moved there by MCP_CLI_AUDIT_LOG from ~/.local/state/mcp-cli/audit.log)');
    expect(verifyMoved.stderr).toContain('the default audit log ~/.local/state/mcp-cli/audit.log was not checked: MCP_CLI_AUDIT_LOG moved the log');

    const verifyDefault = await sandbox.run(['token', 'audit', '--verify']);
    expect(verifyDefault.code, verifyDefault.stderr).toBe(0);
    expect(verifyDefault.stderr).toContain(`1 process wrote its entries to ${elsewhere} instead (moved there by MCP_CLI_AUDIT_LOG`);
    const trail = JSON.parse((await sandbox.run(['token', 'audit', '--action', 'log-moved', '--json'])).stdout) as { detail: object }[];
    expect(trail.map((e) => e.detail)).toEqual([{ log: elsewhere, movedBy: 'MCP_CLI_AUDIT_LOG' }]);

    const backends = await sandbox.run(['token', 'backends'], { env: moved });
    expect(backends.stderr).toContain('Audit log: ~/repo/audit.log, moved there by MCP_CLI_AUDIT_LOG from ~/.local/state/mcp-cli/audit.log');
    const state = join(repo, 'state');
    const json = JSON.parse((await sandbox.run(['token', 'backends', '--json'], { env: { XDG_STATE_HOME: state } })).stdout) as { auditLog: object };
    expect(json.auditLog).toEqual({ path: join(state, 'mcp-cli', 'audit.log'), movedBy: 'XDG_STATE_HOME' });
    expect((await sandbox.run(['token', 'backends'])).stderr).toContain('Audit log: ~/.local/state/mcp-cli/audit.log\n');
  });
});

describe('what reaches mcp-cli before it runs', () => {
  it('run warns when NODE_OPTIONS loads code into it, naming the options only', async () => {
    const probe = join(repo, 'probe.cjs');
    await writeFile(probe, `require('fs').writeFileSync(${JSON.stringify(join(repo, 'probed'))}, 'ran inside mcp-cli')`);
    await writeOwnConfig(sandbox.home, { mcpServers: { mine: recorder() } });
    // Node reads NODE_OPTIONS when a process starts: this needs one of its own.
    const r = await sandbox.spawn(['run', 'mine'], { env: { NODE_OPTIONS: `--require=${probe}` }, timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(repo, 'probed'))).toBe(true);
    expect(r.stderr).toContain('! NODE_OPTIONS holds --require: that code runs inside mcp-cli and can read every token it can');
    expect(r.stderr).not.toContain(probe);
  });

  it("a stdio server gets none of the sandbox's user database variables (nor LD_PRELOAD)", async () => {
    await writeOwnConfig(sandbox.home, {
      mcpServers: {
        names: {
          command: process.execPath,
          args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, Object.keys(process.env).join('\\n'))`],
        },
      },
    });
    expect(sandbox.env.LD_PRELOAD).toContain('libnss_wrapper.so');
    expect((await sandbox.run(['run', 'names'], { timeoutMs: 15_000 })).code).toBe(0);
    expect((await readFile(marker, 'utf8')).split('\n').filter((n) => /^(LD_PRELOAD|NSS_WRAPPER_)/.test(n))).toEqual([]);
  });
});
