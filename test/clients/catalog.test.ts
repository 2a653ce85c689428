// Where each client keeps its file on each platform, how an entry starts mcp-cli, and how files are
// edited without disturbing what the edit does not concern.
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, type ClientId } from '../../src/clients/catalog.js';
import { convert, literal } from '../../src/clients/convert.js';
import { editText, parseClientText } from '../../src/clients/formats.js';
import { launcherFor } from '../../src/clients/launcher.js';
import { launchedServer, serversOf } from '../../src/clients/scan.js';

describe('file locations', () => {
  const linux = { HOME: '/home/me' };
  const mac = { HOME: '/Users/me' };
  const win = { USERPROFILE: 'C:\\Users\\me', APPDATA: 'C:\\Users\\me\\AppData\\Roaming' };
  it.each([
    [
      'claude-desktop',
      '/home/me/.config/Claude/claude_desktop_config.json',
      '/Users/me/Library/Application Support/Claude/claude_desktop_config.json',
      'C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    ],
    ['claude-code', '/home/me/.claude.json', '/Users/me/.claude.json', 'C:\\Users\\me\\.claude.json'],
    ['cursor', '/home/me/.cursor/mcp.json', '/Users/me/.cursor/mcp.json', 'C:\\Users\\me\\.cursor\\mcp.json'],
    [
      'vscode',
      '/home/me/.config/Code/User/mcp.json',
      '/Users/me/Library/Application Support/Code/User/mcp.json',
      'C:\\Users\\me\\AppData\\Roaming\\Code\\User\\mcp.json',
    ],
    [
      'windsurf',
      '/home/me/.codeium/windsurf/mcp_config.json',
      '/Users/me/.codeium/windsurf/mcp_config.json',
      'C:\\Users\\me\\.codeium\\windsurf\\mcp_config.json',
    ],
    ['zed', '/home/me/.config/zed/settings.json', '/Users/me/.config/zed/settings.json', 'C:\\Users\\me\\AppData\\Roaming\\Zed\\settings.json'],
    [
      'goose',
      '/home/me/.config/goose/config.yaml',
      '/Users/me/.config/goose/config.yaml',
      'C:\\Users\\me\\AppData\\Roaming\\Block\\goose\\config\\config.yaml',
    ],
  ] as const)('%s: Linux %s, macOS %s, Windows %s', (id, onLinux, onMac, onWindows) => {
    const client = CLIENTS[id as ClientId];
    expect(client.userFiles(linux, 'linux')).toEqual([onLinux]);
    expect(client.userFiles(mac, 'darwin')).toEqual([onMac]);
    expect(client.userFiles(win, 'win32')).toEqual([onWindows]);
  });

  it.each([
    ['codex', ['/home/me/.codex/config.toml'], ['/Users/me/.codex/config.toml'], ['C:\\Users\\me\\.codex\\config.toml']],
    ['gemini', ['/home/me/.gemini/settings.json'], ['/Users/me/.gemini/settings.json'], ['C:\\Users\\me\\.gemini\\settings.json']],
    [
      'cline',
      [
        '/home/me/.cline/data/settings/cline_mcp_settings.json',
        '/home/me/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
      ],
      [
        '/Users/me/.cline/data/settings/cline_mcp_settings.json',
        '/Users/me/Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
      ],
      [
        'C:\\Users\\me\\.cline\\data\\settings\\cline_mcp_settings.json',
        'C:\\Users\\me\\AppData\\Roaming\\Code\\User\\globalStorage\\saoudrizwan.claude-dev\\settings\\cline_mcp_settings.json',
      ],
    ],
    ['continue', ['/home/me/.continue/config.yaml'], ['/Users/me/.continue/config.yaml'], ['C:\\Users\\me\\.continue\\config.yaml']],
    [
      'opencode',
      ['/home/me/.config/opencode/opencode.json', '/home/me/.config/opencode/opencode.jsonc'],
      ['/Users/me/.config/opencode/opencode.json', '/Users/me/.config/opencode/opencode.jsonc'],
      ['C:\\Users\\me\\.config\\opencode\\opencode.json', 'C:\\Users\\me\\.config\\opencode\\opencode.jsonc'],
    ],
    ['kiro', ['/home/me/.kiro/settings/mcp.json'], ['/Users/me/.kiro/settings/mcp.json'], ['C:\\Users\\me\\.kiro\\settings\\mcp.json']],
    ['lm-studio', ['/home/me/.lmstudio/mcp.json'], ['/Users/me/.lmstudio/mcp.json'], ['C:\\Users\\me\\.lmstudio\\mcp.json']],
    ['crush', ['/home/me/.config/crush/crush.json'], ['/Users/me/.config/crush/crush.json'], ['C:\\Users\\me\\.config\\crush\\crush.json']],
    ['copilot-cli', ['/home/me/.copilot/mcp-config.json'], ['/Users/me/.copilot/mcp-config.json'], ['C:\\Users\\me\\.copilot\\mcp-config.json']],
  ] as const)('%s: Linux %j, macOS %j, Windows %j', (id, onLinux, onMac, onWindows) => {
    const client = CLIENTS[id as ClientId];
    expect(client.userFiles(linux, 'linux')).toEqual(onLinux);
    expect(client.userFiles(mac, 'darwin')).toEqual(onMac);
    expect(client.userFiles(win, 'win32')).toEqual(onWindows);
  });

  it("the clients' own variables move their files: CODEX_HOME, GEMINI_CLI_HOME, CLINE_DIR, CONTINUE_GLOBAL_DIR, COPILOT_HOME, XDG_CONFIG_HOME", () => {
    const env = {
      HOME: '/home/me',
      CODEX_HOME: '/srv/codex',
      GEMINI_CLI_HOME: '/srv/g',
      CLINE_DIR: '/srv/cline',
      CONTINUE_GLOBAL_DIR: '/srv/continue',
      COPILOT_HOME: '/srv/copilot',
      XDG_CONFIG_HOME: '/home/me/xdg',
    };
    expect(CLIENTS.codex.userFiles(env, 'linux')).toEqual(['/srv/codex/config.toml']);
    expect(CLIENTS.gemini.userFiles(env, 'linux')).toEqual(['/srv/g/.gemini/settings.json']);
    expect(CLIENTS.cline.userFiles(env, 'linux')[0]).toBe('/srv/cline/data/settings/cline_mcp_settings.json');
    expect(CLIENTS.continue.userFiles(env, 'linux')).toEqual(['/srv/continue/config.yaml']);
    expect(CLIENTS.continue.userDirs!(env, 'linux')).toEqual(['/srv/continue/mcpServers']);
    expect(CLIENTS['copilot-cli'].userFiles(env, 'linux')).toEqual(['/srv/copilot/mcp-config.json']);
    expect(CLIENTS.opencode.userFiles(env, 'darwin')[0]).toBe('/home/me/xdg/opencode/opencode.json');
    expect(CLIENTS.crush.userFiles(env, 'linux')).toEqual(['/home/me/xdg/crush/crush.json']);
    // A relative value is not a place: the default stays.
    expect(CLIENTS.codex.userFiles({ HOME: '/home/me', CODEX_HOME: 'codex' }, 'linux')).toEqual(['/home/me/.codex/config.toml']);
  });

  it('XDG_CONFIG_HOME moves the Linux files of the clients that follow it', () => {
    const env = { HOME: '/home/me', XDG_CONFIG_HOME: '/home/me/xdg' };
    expect(CLIENTS.zed.userFiles(env, 'linux')).toEqual(['/home/me/xdg/zed/settings.json']);
    expect(CLIENTS.vscode.userFiles(env, 'linux')).toEqual(['/home/me/xdg/Code/User/mcp.json']);
    expect(CLIENTS.zed.userFiles(env, 'darwin')).toEqual(['/home/me/.config/zed/settings.json']);
    expect(CLIENTS.cursor.userFiles(env, 'linux')).toEqual(['/home/me/.cursor/mcp.json']);
  });
});

describe('what an entry starts', () => {
  let dir: string;
  let script: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-cli-launcher-'));
    script = join(dir, 'lib', 'cli.js');
    await mkdir(join(dir, 'lib'));
    await mkdir(join(dir, 'bin'));
    await writeFile(script, '');
    await chmod(script, 0o755);
    await symlink(script, join(dir, 'bin', 'mcp-cli'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const ctx = (platform: NodeJS.Platform, path: string) => ({ env: { PATH: path }, platform, self: { execPath: '/opt/node/bin/node', script } });

  it('mcp-cli when the mcp-cli on PATH is this program; node, "--" and the script otherwise', () => {
    expect(launcherFor(ctx('linux', join(dir, 'bin')), CLIENTS.cursor)).toMatchObject({ command: 'mcp-cli', args: [] });
    // "--": Node takes no later argument for an option of its own (an --env-file would be).
    expect(launcherFor(ctx('linux', '/usr/bin'), CLIENTS.cursor)).toMatchObject({ command: '/opt/node/bin/node', args: ['--', script] });
  });

  it('an entry that starts mcp-cli run is recognised in each form an import writes, and no other', () => {
    const stdio = (command: string, ...args: string[]) => ({ transport: 'stdio' as const, command, args, env: {}, headers: {}, envKeys: [] });
    expect(launchedServer(stdio('mcp-cli', 'run', 'github'))).toBe('github');
    expect(launchedServer(stdio('/opt/node/bin/node', '--', script, 'run', 'github'))).toBe('github');
    expect(launchedServer(stdio('/opt/node/bin/node', script, 'run', 'github'))).toBe('github');
    expect(launchedServer(stdio('/opt/node/bin/node', '--inspect', script, 'run', 'github'))).toBeUndefined();
    expect(launchedServer(stdio('/opt/node/bin/node', '--', '--', script, 'run', 'github'))).toBeUndefined();
  });

  it('absolute paths for desktop apps on macOS and for every client on Windows; --command as given', () => {
    expect(launcherFor(ctx('darwin', join(dir, 'bin')), CLIENTS['claude-desktop'])).toMatchObject({ command: '/opt/node/bin/node', args: ['--', script] });
    expect(launcherFor(ctx('darwin', join(dir, 'bin')), CLIENTS['claude-code'])).toMatchObject({ command: 'mcp-cli' });
    expect(launcherFor(ctx('win32', join(dir, 'bin')), CLIENTS['claude-code'])).toMatchObject({ command: '/opt/node/bin/node' });
    expect(launcherFor(ctx('darwin', ''), CLIENTS.zed, '/opt/homebrew/bin/mcp-cli')).toMatchObject({ command: '/opt/homebrew/bin/mcp-cli', args: [] });
  });
});

describe('editing', () => {
  it('JSON with comments: the value changes; comments, order, indentation and trailing commas stay', () => {
    const text = '{\n\t// mine\n\t"a": 1, /* one */\n\t"servers": {\n\t\t"x": { "command": "old" },\n\t},\n\t"z": true,\n}\n';
    const out = editText('json', text, [{ path: ['servers', 'x', 'command'], value: 'new' }], 'f');
    expect(out).toBe(text.replace('"old"', '"new"'));
    const added = editText('json', text, [{ path: ['servers', 'y'], value: { command: 'y' } }], 'f');
    expect(added).toContain('\t// mine\n\t"a": 1, /* one */\n');
    expect(parseClientText('json', added, 'f')).toEqual({ a: 1, servers: { x: { command: 'old' }, y: { command: 'y' } }, z: true });
  });

  it("YAML: only the entry's lines change, the spacing of comments elsewhere stays", () => {
    const text = '# top\nA: 1    # spaced\nextensions:\n  x:\n    cmd: old\n    args:\n    - a\n  y:\n    cmd: keep   # too\n';
    const out = editText('yaml', text, [{ path: ['extensions', 'x'], value: { cmd: 'new', args: ['run', 'x'] } }], 'f');
    expect(out).toBe('# top\nA: 1    # spaced\nextensions:\n  x:\n    cmd: new\n    args:\n    - run\n    - x\n  y:\n    cmd: keep   # too\n');
  });

  it('YAML that the Document API would lay out anew is not edited at all', () => {
    const text = 'extensions: { x: { cmd: old },\n  y: { cmd: keep } }\n';
    expect(() => editText('yaml', text, [{ path: ['extensions', 'x', 'cmd'], value: 'new' }], '/c.yaml')).toThrow(
      '/c.yaml: cannot edit this YAML file without changing parts of it that the edit does not concern',
    );
  });

  it('a literal ${ in a value of a client that expands nothing stays literal in server_config.json', () => {
    expect(literal('a${b}c$${d}$e')).toBe('a$${b}c$$$${d}$e');
    const [server] = serversOf(CLIENTS['claude-desktop'], { mcpServers: { s: { command: 'x', args: ['${HOME}'], env: { API_KEY: 'abcdef123456' } } } }, 'user');
    const converted = convert(CLIENTS['claude-desktop'], server!);
    if ('unsupported' in converted) throw new Error(converted.unsupported);
    expect(converted.configEntry()).toEqual({ command: 'x', args: ['$${HOME}'], env: { API_KEY: '${TOKEN:api-key:s-api-key}' } });
  });

  it("a value a client expands itself goes to the server through the client's environment", () => {
    const [server] = serversOf(
      CLIENTS.cursor,
      { mcpServers: { s: { command: 'x', args: ['--root', '${workspaceFolder}'], env: { HOME_DIR: '${userHome}', TOKEN: 'abcdef123456' } } } },
      'user',
    );
    const converted = convert(CLIENTS.cursor, server!);
    if ('unsupported' in converted) throw new Error(converted.unsupported);
    expect(converted.configEntry()).toEqual({
      command: 'x',
      args: ['--root', '${MCP_PASS_ARG_1}'],
      env: { HOME_DIR: '${HOME_DIR}', TOKEN: '${TOKEN:bearer:s-token}' },
    });
    expect(converted.passThrough).toEqual({ MCP_PASS_ARG_1: '${workspaceFolder}', HOME_DIR: '${userHome}' });
  });
});
