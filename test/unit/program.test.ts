// Argument parsing apart from the commands, as the GitHub CLI tests NewCmdX with a runF: each
// command module is replaced, and the test checks what the command table hands it.
import { Readable, Writable } from 'node:stream';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { Ctx, Io } from '../../src/context.js';

vi.mock('../../src/commands/token/list.js', () => ({ run: vi.fn() }));
vi.mock('../../src/commands/token/set.js', () => ({ run: vi.fn() }));
vi.mock('../../src/commands/token/get.js', () => ({ run: vi.fn() }));
vi.mock('../../src/commands/token/clear.js', () => ({ run: vi.fn() }));
vi.mock('../../src/commands/config/trust.js', () => ({ run: vi.fn(), untrust: vi.fn() }));
vi.mock('../../src/commands/auth/login.js', () => ({ run: vi.fn() }));
vi.mock('../../src/commands/call.js', () => ({ run: vi.fn() }));
vi.mock('../../src/commands/clients/clients-list.js', () => ({ run: vi.fn() }));
vi.mock('../../src/commands/clients/clients-import.js', () => ({ run: vi.fn() }));
vi.mock('../../src/commands/clients/clients-install.js', () => ({ run: vi.fn() }));
vi.mock('../../src/commands/clients/clients-restore.js', () => ({ run: vi.fn() }));

const list = await import('../../src/commands/token/list.js');
const set = await import('../../src/commands/token/set.js');
const get = await import('../../src/commands/token/get.js');
const clear = await import('../../src/commands/token/clear.js');
const trust = await import('../../src/commands/config/trust.js');
const login = await import('../../src/commands/auth/login.js');
const call = await import('../../src/commands/call.js');
const clientsList = await import('../../src/commands/clients/clients-list.js');
const clientsImport = await import('../../src/commands/clients/clients-import.js');
const clientsInstall = await import('../../src/commands/clients/clients-install.js');
const clientsRestore = await import('../../src/commands/clients/clients-restore.js');

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write: (c, _e, done) => ((text += String(c)), done()) }), text: () => text };
}

let out: ReturnType<typeof sink>;
let err: ReturnType<typeof sink>;
const io = (): Io => ({
  stdin: Readable.from([]),
  stdout: out.stream,
  stderr: err.stream,
  env: {},
  cwd: '/nowhere',
  platform: 'linux',
  now: () => new Date('2026-12-01T00:00:00Z'),
  tty: { stdin: false, stdout: false, stderr: false, controlling: false },
  prompter: { secret: async () => '', confirm: async () => false },
  globals: {},
  self: { execPath: process.execPath, script: 'cli.js' },
});
const parse = (...args: string[]) => runCli(args, io());
const ctxOf = (mock: unknown, call = 0) => vi.mocked(mock as (...a: unknown[]) => unknown).mock.calls[call]!.at(-1) as Ctx;

beforeEach(() => {
  vi.clearAllMocks();
  out = sink();
  err = sink();
});

describe('the command table', () => {
  it('token list: type switches, filters and --json as options', async () => {
    expect(await parse('token', 'list', '--no-oauth', '--api-keys', '--namespace', 'team', '--expiring-within', '7d', '--json')).toBe(0);
    expect(list.run).toHaveBeenCalledWith({ oauth: false, apiKeys: true, namespace: 'team', expiringWithin: '7d', json: true }, expect.anything());
  });

  it('token set: the name, --type defaulting to bearer, and every other option as given', async () => {
    await parse('token', 'set', 'openai', '--type', 'api-key', '--provider', 'openai', '--value', '-', '--organization', 'org-1');
    expect(set.run).toHaveBeenCalledWith('openai', { type: 'api-key', provider: 'openai', value: '-', organization: 'org-1' }, expect.anything());
    await parse('token', 'set', 'my-server');
    expect(vi.mocked(set.run).mock.calls[1]!.slice(0, 2)).toEqual(['my-server', { type: 'bearer' }]);
  });

  it('token get: --oauth, --namespace and --show-value; global options reach the context', async () => {
    await parse('--token-backend', 'vault', '--config', 'x.json', 'token', 'get', 'notion', '--oauth', '--show-value');
    expect(get.run).toHaveBeenCalledWith('notion', { oauth: true, showValue: true }, expect.anything());
    expect(ctxOf(get.run).globals).toEqual({ tokenBackend: 'vault', config: 'x.json' });
    expect(ctxOf(get.run).cwd).toBe('/nowhere');
  });

  it('token clear --force, config trust --list --json, auth login --no-browser, call --args', async () => {
    await parse('token', 'clear', '--namespace', 'test', '--force');
    expect(clear.run).toHaveBeenCalledWith({ namespace: 'test', force: true }, expect.anything());
    await parse('config', 'trust', '--list', '--json');
    expect(trust.run).toHaveBeenCalledWith(undefined, { list: true, json: true }, expect.anything());
    await parse('config', 'untrust', 'repo/server_config.json');
    expect(trust.untrust).toHaveBeenCalledWith('repo/server_config.json', expect.anything());
    await parse('auth', 'login', 'notes', '--no-browser', '--timeout', '90s');
    expect(login.run).toHaveBeenCalledWith('notes', { browser: false, timeout: '90s' }, expect.anything());
    await parse('call', 'notes', 'search', '--args', '{"q":1}');
    expect(call.run).toHaveBeenCalledWith('notes', 'search', { args: '{"q":1}' }, expect.anything());
  });

  it('clients: the listing, and import, install and restore, with --project and --json wherever they stand', async () => {
    await parse('clients', '--check', '--project', 'repo');
    expect(clientsList.run).toHaveBeenCalledWith({ check: true, project: 'repo' }, expect.anything());
    await parse('clients', 'import', 'cursor', '--dry-run', '--servers', 'a,b', '--rename', '--command', '/opt/bin/mcp-cli', '--json');
    expect(clientsImport.run).toHaveBeenCalledWith(
      'cursor',
      { dryRun: true, servers: 'a,b', rename: true, command: '/opt/bin/mcp-cli', json: true },
      expect.anything(),
    );
    await parse('clients', 'import', 'claude-code', '--project', 'repo', '--overwrite');
    expect(vi.mocked(clientsImport.run).mock.calls[1]!.slice(0, 2)).toEqual(['claude-code', { project: 'repo', overwrite: true }]);
    await parse('clients', 'install', 'notes', '--client', 'vscode', '--project', '.', '--overwrite');
    expect(clientsInstall.run).toHaveBeenCalledWith('notes', { client: 'vscode', project: '.', overwrite: true }, expect.anything());
    expect(await parse('clients', 'install', 'notes')).toBe(1);
    expect(err.text()).toContain("required option '--client <client>' not specified");
    await parse('clients', 'restore', 'zed');
    expect(clientsRestore.run).toHaveBeenCalledWith('zed', expect.anything());
    expect(clientsList.run).toHaveBeenCalledTimes(1);
  });

  it('each command gets a context of its own, whose store and config are opened lazily', async () => {
    await parse('token', 'list');
    await parse('token', 'list');
    const [first, second] = [ctxOf(list.run, 0), ctxOf(list.run, 1)];
    expect(first).not.toBe(second);
    expect(typeof first.store).toBe('function');
    expect(first.store).not.toBe(second.store);
  });

  it('usage errors exit 1 on stderr without running anything; help and version exit 0 on stdout', async () => {
    expect(await parse('token', 'list', '--bogus')).toBe(1);
    expect(err.text()).toContain("error: unknown option '--bogus'");
    expect(list.run).not.toHaveBeenCalled();
    expect(await parse('token', 'set')).toBe(1);
    expect(err.text()).toContain("missing required argument 'name'");
    expect(await parse('token', '--help')).toBe(0);
    expect(out.text()).toContain('Usage: mcp-cli token');
    out = sink();
    expect(await parse('--version')).toBe(0);
    expect(out.text()).toBe(`${MCP_CLI_VERSION}\n`);
  });
});
