// Argument parsing apart from the commands, as the GitHub CLI tests NewCmdX with a runF: each
// command module is replaced, and the test checks what the command table hands it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Command } from '@commander-js/extra-typings';
import { buildProgram, commandNamed, groupsFor, HELP_KIT, runCli } from '../../src/cli/program.js';
import { examplesOf } from '../../src/cli/help-format.js';
import { COMMAND_GROUPS } from '../../src/cli/groups/index.js';
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
  home: '/nowhere',
  cwd: '/nowhere',
  platform: 'linux',
  now: () => new Date('2026-12-01T00:00:00Z'),
  tty: { stdin: false, stdout: false, stderr: false, controlling: false },
  prompter: { secret: async () => '', confirm: async () => false, ask: async () => '' },
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

  it('token clear --force, config trust --list --json, auth login --no-browser and --device, call --args', async () => {
    await parse('token', 'clear', '--namespace', 'test', '--force');
    expect(clear.run).toHaveBeenCalledWith({ namespace: 'test', force: true }, expect.anything());
    await parse('config', 'trust', '--list', '--json');
    expect(trust.run).toHaveBeenCalledWith(undefined, { list: true, json: true }, expect.anything());
    await parse('config', 'untrust', 'repo/server_config.json');
    expect(trust.untrust).toHaveBeenCalledWith('repo/server_config.json', expect.anything());
    await parse('auth', 'login', 'notes', '--no-browser', '--timeout', '90s');
    expect(login.run).toHaveBeenCalledWith('notes', { browser: false, timeout: '90s' }, expect.anything());
    await parse('auth', 'login', 'ci', '--device', '--scope', 'a b');
    expect(login.run).toHaveBeenLastCalledWith('ci', { browser: true, device: true, scope: 'a b' }, expect.anything());
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
    expect(await parse('--help')).toBe(0);
    expect(out.text()).toMatch(/^ {2}clients \[options\] +find plaintext secrets in MCP clients'/m);
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

describe('one group per command', () => {
  it('the command is the first word after the global options; `help X` is X', () => {
    expect(commandNamed(['--config', 'x.json', '--token-backend', 'vault', 'token', 'get', 'x'])).toBe('token');
    expect(commandNamed(['--config', 'token', 'servers'])).toBe('servers');
    expect(commandNamed(['--config=token', 'ping', 'x'])).toBe('ping');
    expect(commandNamed(['help', 'auth'])).toBe('auth');
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed([])).toBeUndefined();
  });

  it('builds only the group that defines the command, and every group for the top-level help or an unknown command', () => {
    expect(groupsFor(['token', 'list'])).toEqual([COMMAND_GROUPS.find((g) => g.commands.includes('token'))]);
    expect(groupsFor(['call', 'a', 'b'])[0]!.commands).toContain('ping');
    expect(groupsFor(['--help'])).toBe(COMMAND_GROUPS);
    expect(groupsFor(['tokn'])).toBe(COMMAND_GROUPS);
  });

  it('each group defines the top-level commands the index says, and no other', async () => {
    const { Command } = await import('@commander-js/extra-typings');
    for (const group of COMMAND_GROUPS) {
      const program = new Command();
      (await group.load()).register(program, {
        ctx: async () => ({}) as Ctx,
        endWith: () => undefined,
        ...HELP_KIT,
        io: async () => ({}) as Io,
        table: async () => program,
      });
      expect(program.commands.map((c) => c.name())).toEqual(group.commands);
    }
  });

  it('the top-level help lists every command of every group; a group help and `help X` show that group', async () => {
    expect(await parse('--help')).toBe(0);
    for (const name of COMMAND_GROUPS.flatMap((g) => g.commands).filter((c) => !c.startsWith('__')))
      expect(out.text()).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    out = sink();
    expect(await parse('help', 'config')).toBe(0);
    expect(out.text()).toContain('Usage: mcp-cli config');
    expect(out.text()).toContain('trust [options] [path]');
  });

  it('global options before the command reach it, whichever group it is in', async () => {
    await parse('--config', 'c.json', 'call', 'notes', 'search');
    expect(ctxOf(call.run).globals).toEqual({ config: 'c.json', tokenBackend: undefined });
    await parse('--token-backend', 'encrypted', 'auth', 'login', 'notes');
    expect(ctxOf(login.run).globals).toEqual({ config: undefined, tokenBackend: 'encrypted' });
  });

  it('exec: an option after the program is refused unless the program follows --', async () => {
    expect(await parse('exec', 'echo', '--env', 'A=1')).toBe(1);
    expect(err.text()).toContain('put the program after --');
  });
});

describe('help', () => {
  it('the top-level help names every MCP_CLI_ variable the code reads, with examples', async () => {
    expect(await parse('--help')).toBe(0);
    const help = out.text();
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : [readFileSync(join(dir, e.name), 'utf8')]));
    const read = new Set(sources('src').flatMap((text) => [...text.matchAll(/\bMCP_CLI_[A-Z_]+[A-Z]\b/g)].map((m) => m[0])));
    read.delete('MCP_CLI_VERSION'); // the build's own constant
    expect(read.size).toBeGreaterThan(8);
    for (const name of read) expect(help, name).toContain(name);
    for (const name of ['VAULT_ADDR', 'NO_COLOR', 'XDG_CONFIG_HOME']) expect(help).toContain(name);
    expect(help).toMatch(/Examples:\n {2}# .+\n {2}mcp-cli token set /);
  });

  /** Every command of the table below `command`, depth first (not `help` nor the hidden ones). */
  const commandsBelow = (command: Command): Command[] =>
    (command.commands as Command[]).filter((c) => !c.name().startsWith('__') && c.name() !== 'help').flatMap((c) => [c, ...commandsBelow(c)]);
  const pathOf = (command: Command): string[] => (command.parent ? [...pathOf(command.parent as Command), command.name()] : []);
  const table = async () => {
    const nowhere = { write: () => true } as unknown as Writable;
    const unused = () => {
      throw new Error('no command runs here');
    };
    return (await buildProgram(
      { stdout: nowhere, stderr: nowhere, columns: 80 },
      { ...HELP_KIT, ctx: unused, endWith: unused, io: unused, table: unused },
    )) as unknown as Command;
  };

  it("every command's --help ends with examples of that command", async () => {
    const commands = commandsBelow(await table());
    expect(commands.length).toBeGreaterThan(35);
    for (const command of commands) {
      const path = pathOf(command);
      out = sink();
      expect(await parse(...path, '--help')).toBe(0);
      const help = out.text();
      const examples = help.slice(help.indexOf('\nExamples:\n'));
      expect(examples, path.join(' ')).toMatch(/^\nExamples:\n( {2}# .+\n {2}.+\n)+$/);
      expect(examples, path.join(' ')).toContain(`mcp-cli ${path.join(' ')}`);
    }
  });

  it('every example runs a command of the table with flags that command has', async () => {
    const root = await table();
    let checked = 0;
    for (const command of [root, ...commandsBelow(root)])
      for (const [example] of [...examplesOf(command), ...(command === root ? (await import('../../src/cli/help-text.js')).EXAMPLES : [])]) {
        const at = example.indexOf('mcp-cli ');
        if (at < 0) continue;
        // The words of the mcp-cli command line, up to a pipe or the end of a $(...).
        const words = example
          .slice(at + 'mcp-cli '.length)
          .split(/\s+/)
          .map((w) => w.replace(/^['"]|['")]+$/g, ''));
        let current = root;
        const chain = [root];
        const optionOf = (flag: string) => chain.flatMap((c) => c.options).find((o) => o.long === flag || o.short === flag);
        for (let i = 0; i < words.length; i++) {
          const word = words[i]!;
          if (word === '|' || word === '--') break;
          if (word.startsWith('-')) {
            const option = optionOf(word.split('=')[0]!);
            expect(option, `${example}: ${word}`).toBeDefined();
            if ((option!.required || option!.optional) && !word.includes('=')) i++;
            continue;
          }
          const sub = (current.commands as Command[]).find((c) => c.name() === word);
          if (!sub) continue;
          current = sub;
          chain.push(sub);
        }
        expect(current === command || commandsBelow(command).includes(current), `${example} runs ${pathOf(current).join(' ')}`).toBe(true);
        checked++;
      }
    expect(checked).toBeGreaterThan(60);
  });

  it("clients: a mistyped client's id names the right one, as a mistyped command does; nothing runs", async () => {
    expect(await parse('clients', 'import', 'claud-desktop')).toBe(1);
    expect(err.text()).toContain("'claud-desktop' is invalid for argument 'client'. Allowed choices are claude-desktop, claude-code, cursor,");
    expect(err.text()).toContain('(Did you mean claude-desktop?)');
    err = sink();
    expect(await parse('clients', 'install', 'github', '--client', 'cursr')).toBe(1);
    expect(err.text()).toContain('(Did you mean cursor?)');
    err = sink();
    expect(await parse('clients', 'restore', 'vs-code')).toBe(1);
    expect(err.text()).toContain('(Did you mean vscode?)');
    err = sink();
    expect(await parse('clients', 'restore', 'notepad')).toBe(1);
    expect(err.text()).not.toContain('Did you mean');
    expect(clientsImport.run).not.toHaveBeenCalled();
    expect(clientsInstall.run).not.toHaveBeenCalled();
    expect(clientsRestore.run).not.toHaveBeenCalled();
  });

  it('completion without a shell lists the shells and how each loads its script; exit 0', async () => {
    expect(await parse('completion')).toBe(0);
    const text = out.text();
    expect(text).toMatch(/^Shells: bash, zsh, fish, powershell\./);
    for (const line of [
      'eval "$(mcp-cli completion bash)"',
      'eval "$(mcp-cli completion zsh)"',
      'mcp-cli completion fish | source',
      'mcp-cli completion powershell | Out-String | Invoke-Expression',
    ])
      expect(text).toContain(line);
    expect(err.text()).toBe('');
    expect(await parse('completion', 'tcsh')).toBe(1);
    expect(err.text()).toContain('Allowed choices are bash, zsh, fish, powershell.');
  });

  it('config --help says where the file is looked for, which one is trusted, and the reference syntax', async () => {
    expect(await parse('config', '--help')).toBe(0);
    const help = out.text().replace(/\s+/g, ' ');
    expect(help).toContain('--config PATH, else $MCP_CLI_CONFIG, else ./server_config.json, else server_config.json in the config directory');
    expect(help).toContain('mcp-cli config trust');
    expect(help).toContain('${TOKEN:namespace:name}');
  });
});
