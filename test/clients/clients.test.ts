// `mcp-cli clients` on a throw-away HOME that holds a config of every client mcp-cli knows, each
// as the client writes it (comments where the format allows) with plaintext sentinel secrets:
// found without being printed, moved into the store by `import` (no sentinel left in any file under
// HOME, the store's file included), each rewritten entry launched exactly as its client would launch
// it, serving tools through `mcp-cli run` with the original secret, and `restore` bringing every file
// back byte for byte.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, ownConfigPath, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { connectAsClient, filesUnder, installShim, launchOf, sentinel, stdioServer, textOf, writeText, type Launch } from '../helpers/client-configs.js';
import { sha256, startTestMcpHttpServer, type TestMcpHttpServer } from '../helpers/mcp-servers.js';

const S = {
  desktop: sentinel('desktop'),
  codeRemote: sentinel('code-remote'),
  codeLocal: sentinel('code-local'),
  cursorArg: sentinel('cursor-arg'),
  cursorEnv: `ghp_${'A1b2C3d4E5'.repeat(4)}`,
  vscode: sentinel('vscode'),
  windsurf: sentinel('windsurf'),
  zed: sentinel('zed'),
  gooseStdio: sentinel('goose-stdio'),
  gooseRemote: sentinel('goose-remote'),
};
const ALL = Object.values(S);
const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let sandbox: Sandbox;
let shimDir: string;
const http: Record<string, TestMcpHttpServer> = {};
const paths: Record<string, string> = {};
/** The own server_config.json as it was before any import: one unrelated server. */
const OWN_CONFIG = '{\n  "mcpServers": {\n    "existing": { "command": "true" }\n  }\n}\n';

beforeAll(async () => {
  sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'clients-test-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
  const home = sandbox.home;
  shimDir = await installShim(join(home, 'bin'));
  for (const name of ['codeRemote', 'windsurf', 'gooseRemote'] as const) http[name] = await startTestMcpHttpServer({ token: S[name] });
  expect((await sandbox.run(['token', 'set', 'unrelated', '--value', '-'], { input: 'unrelated-value' })).code).toBe(0);
  await writeOwnConfig(home, OWN_CONFIG);

  paths.desktop = await writeText(
    join(home, '.config', 'Claude', 'claude_desktop_config.json'),
    JSON.stringify({ mcpServers: { notes: stdioServer({ NOTES_API_KEY: S.desktop }), plain: stdioServer({ LOG_LEVEL: 'debug' }) } }, null, 2) + '\n',
  );
  paths.code = await writeText(
    join(home, '.claude.json'),
    JSON.stringify(
      {
        numStartups: 12,
        mcpServers: { remote: { type: 'http', url: http.codeRemote!.url, headers: { Authorization: `Bearer ${S.codeRemote}` } } },
        projects: { '/work/app': { allowedTools: [], mcpServers: { tool: { type: 'stdio', ...stdioServer({ TOOL_TOKEN: S.codeLocal }) } } } },
        tipsHistory: { 'new-user': 1 },
      },
      null,
      2,
    ),
    0o600,
  );
  paths.cursor = await writeText(
    join(home, '.cursor', 'mcp.json'),
    JSON.stringify({ mcpServers: { gh: stdioServer({ GITHUB_TOKEN: S.cursorEnv }, ['--api-key=' + S.cursorArg]) } }, null, 2),
  );
  paths.vscode = await writeText(
    join(home, '.config', 'Code', 'User', 'mcp.json'),
    `{
\t// Servers for Copilot's agent mode.
\t"inputs": [
\t\t{ "type": "promptString", "id": "region", "description": "Region", "password": false }
\t],
\t"servers": {
\t\t/* search, with its key in plaintext */
\t\t"search": {
\t\t\t"type": "stdio",
\t\t\t"command": ${JSON.stringify(process.execPath)},
\t\t\t"args": [${JSON.stringify(stdioServer({}).args[0])}],
\t\t\t"env": { "SEARCH_API_KEY": "${S.vscode}", "REGION": "\${input:region}" }, // trailing comment
\t\t},
\t},
}
`,
  );
  paths.windsurf = await writeText(
    join(home, '.codeium', 'windsurf', 'mcp_config.json'),
    JSON.stringify({ mcpServers: { docs: { serverUrl: http.windsurf!.url, headers: { Authorization: `Bearer ${S.windsurf}` } } } }, null, 4) + '\n',
  );
  paths.zed = await writeText(
    join(home, '.config', 'zed', 'settings.json'),
    `// Zed settings
//
// For information on how to configure Zed, see the Zed documentation.
{
  "theme": "One Dark",
  "buffer_font_size": 15,
  "context_servers": {
    // Linear, by hand
    "linear": {
      "command": ${JSON.stringify(process.execPath)},
      "args": [${JSON.stringify(stdioServer({}).args[0])}],
      "env": { "LINEAR_API_KEY": "${S.zed}" },
    },
  },
  "vim_mode": false,
}
`,
  );
  paths.goose = await writeText(
    join(home, '.config', 'goose', 'config.yaml'),
    `# goose configuration
GOOSE_PROVIDER: anthropic   # the provider
extensions:
  developer:
    bundled: true
    enabled: true
    name: developer
    timeout: 300
    type: builtin
  brave:
    # search with a key in plaintext
    args:
    - ${stdioServer({}).args[0]}
    cmd: ${process.execPath}
    enabled: true
    envs:
      BRAVE_API_KEY: ${S.gooseStdio}
    env_keys: []
    name: brave
    timeout: 300
    type: stdio
  remote:
    enabled: true
    headers:
      Authorization: Bearer ${S.gooseRemote}
    name: remote
    timeout: 300
    type: streamable_http
    uri: ${http.gooseRemote!.url}
GOOSE_MODEL: claude-sonnet-4-5
`,
  );
});

afterAll(async () => {
  await Promise.all(Object.values(http).map((h) => h.close()));
  await sandbox.cleanup();
});

/** Every file under HOME except mcp-cli's own state (the store, the audit log, approvals), which the commands write. */
async function clientSide(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [path, bytes] of await filesUnder(sandbox.home)) if (!path.includes(`${join('.local')}`)) out.set(path, hash(bytes));
  return out;
}

const connect = (launch: Launch) => connectAsClient(sandbox, launch, shimDir);

describe('mcp-cli clients on every client', () => {
  let original: Map<string, string>;
  let ownBefore: Buffer;

  it('lists every client and every sentinel, by where it is, kind and a masked hint, never by value', async () => {
    original = await clientSide();
    ownBefore = await readFile(ownConfigPath(sandbox.home));
    const json = await sandbox.run(['clients', '--json']);
    expect(json.code, json.stderr).toBe(0);
    for (const s of ALL) expect(json.stdout + json.stderr).not.toContain(s);
    const report = JSON.parse(json.stdout) as {
      clients: { id: string; files: { servers: { name: string; secrets: { where: string; kind: string; hint: string }[] }[] }[] }[];
      plaintextSecrets: number;
    };
    expect(report.clients.map((c) => c.id)).toEqual(['claude-desktop', 'claude-code', 'cursor', 'vscode', 'windsurf', 'zed', 'goose']);
    const found = report.clients.flatMap((c) =>
      c.files.flatMap((f) => f.servers.flatMap((s) => s.secrets.map((x) => `${c.id} ${s.name} ${x.where} ${x.kind}`))),
    );
    expect(found.sort()).toEqual(
      [
        'claude-desktop notes env.NOTES_API_KEY api-key',
        'claude-code remote headers.Authorization bearer',
        'claude-code tool env.TOOL_TOKEN bearer',
        'cursor gh env.GITHUB_TOKEN bearer',
        'cursor gh args[1] api-key',
        'vscode search env.SEARCH_API_KEY api-key',
        'windsurf docs headers.Authorization bearer',
        'zed linear env.LINEAR_API_KEY api-key',
        'goose brave env.BRAVE_API_KEY api-key',
        'goose remote headers.Authorization bearer',
      ].sort(),
    );
    expect(report.plaintextSecrets).toBe(ALL.length);
    const hints = report.clients.flatMap((c) => c.files.flatMap((f) => f.servers.flatMap((s) => s.secrets.map((x) => x.hint))));
    expect(hints).toContain(`${S.desktop.slice(0, 3)}…${S.desktop.slice(-4)}`);

    const table = await sandbox.run(['clients']);
    expect(table.code).toBe(0);
    for (const s of ALL) expect(table.stdout + table.stderr).not.toContain(s);
    expect(table.stdout).toContain('~/.config/zed/settings.json');
    expect(table.stderr).toContain(`${ALL.length} plaintext secrets`);
    // Run in HOME, where ~/.cursor/mcp.json is Cursor's user file, not a project's.
    expect(table.stderr).not.toContain('project files too');

    // The built binary in a process of its own: the exit code CI and pre-commit hooks see.
    const check = await sandbox.spawn(['clients', '--check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`${ALL.length} plaintext secrets in MCP client configs`);
    for (const s of ALL) expect(check.stdout + check.stderr).not.toContain(s);
  });

  it('import --dry-run shows the plan and a diff of each file, masked, and changes no file', async () => {
    const before = await filesUnder(sandbox.home);
    for (const client of ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'windsurf', 'zed', 'goose']) {
      const dry = await sandbox.run(['clients', 'import', client, '--dry-run']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stderr).toContain('Dry run: nothing was written.');
      expect(dry.stdout).toMatch(/^\+\+\+ /m);
      expect(dry.stdout).toContain('${TOKEN:');
      for (const s of ALL) expect(dry.stdout + dry.stderr).not.toContain(s);
    }
    const after = await filesUnder(sandbox.home);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [path, bytes] of before) expect(hash(after.get(path)!), path).toBe(hash(bytes));
  });

  it('import moves every sentinel into the store: none is left in any file under HOME', async () => {
    const modes = new Map<string, number>();
    for (const p of Object.values(paths)) modes.set(p, (await stat(p)).mode);
    // Half the clients are given `--command mcp-cli` (found on their PATH); the others get node and the script by absolute paths.
    for (const [client, extra] of [
      ['claude-desktop', []],
      ['claude-code', ['--command', 'mcp-cli']],
      ['cursor', []],
      ['vscode', ['--command', 'mcp-cli']],
      ['windsurf', []],
      ['zed', ['--command', 'mcp-cli']],
      ['goose', ['--rename']],
    ] as const) {
      const result = await sandbox.run(['clients', 'import', '--yes', client, ...extra]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`Undo it with: mcp-cli clients restore ${client}`);
      for (const s of ALL) expect(result.stdout + result.stderr).not.toContain(s);
    }
    for (const [path, bytes] of await filesUnder(sandbox.home)) {
      const text = bytes.toString('latin1');
      for (const s of ALL) expect(text.includes(s), `${s} in ${path}`).toBe(false);
    }
    // Each file keeps its mode; the rest of each file is as it was (comments, other keys, the untouched server).
    for (const [p, mode] of modes) expect((await stat(p)).mode, p).toBe(mode);
    expect(await readFile(paths.zed!, 'utf8')).toContain('// Linear, by hand');
    expect(await readFile(paths.zed!, 'utf8')).toContain('"vim_mode": false,');
    expect(await readFile(paths.vscode!, 'utf8')).toContain('/* search, with its key in plaintext */');
    expect(await readFile(paths.goose!, 'utf8')).toContain('GOOSE_PROVIDER: anthropic   # the provider\n');
    expect(await readFile(paths.desktop!, 'utf8')).toContain('"LOG_LEVEL": "debug"');
    expect(JSON.parse(await readFile(paths.code!, 'utf8')).numStartups).toBe(12);
    const own = JSON.parse(await readFile(ownConfigPath(sandbox.home), 'utf8')) as { mcpServers: Record<string, { env?: Record<string, string> }> };
    expect(Object.keys(own.mcpServers).sort()).toEqual(['brave', 'docs', 'existing', 'gh', 'linear', 'notes', 'remote', 'remote-2', 'search', 'tool'].sort());
    // VS Code's own variable stays with VS Code, which hands its value to mcp-cli run.
    expect(own.mcpServers.search!.env).toEqual({ SEARCH_API_KEY: '${TOKEN:api-key:search-api-key}', REGION: '${REGION}' });
    const tokens = await sandbox.run(['token', 'list', '--json']);
    expect((JSON.parse(tokens.stdout) as unknown[]).length).toBe(ALL.length + 1);
  });

  it.each([
    ['claude-desktop', 'desktop', 'notes', ['mcpServers'], { env: 'NOTES_API_KEY', secret: S.desktop }],
    ['claude-code', 'code', 'tool', ['projects', '/work/app', 'mcpServers'], { env: 'TOOL_TOKEN', secret: S.codeLocal }],
    ['claude-code', 'code', 'remote', ['mcpServers'], { http: 'codeRemote' }],
    ['cursor', 'cursor', 'gh', ['mcpServers'], { env: 'GITHUB_TOKEN', secret: S.cursorEnv, arg: S.cursorArg }],
    ['vscode', 'vscode', 'search', ['servers'], { env: 'SEARCH_API_KEY', secret: S.vscode }],
    ['windsurf', 'windsurf', 'docs', ['mcpServers'], { http: 'windsurf' }],
    ['zed', 'zed', 'linear', ['context_servers'], { env: 'LINEAR_API_KEY', secret: S.zed }],
    ['goose', 'goose', 'brave', ['extensions'], { env: 'BRAVE_API_KEY', secret: S.gooseStdio }],
    ['goose', 'goose', 'remote', ['extensions'], { http: 'gooseRemote' }],
  ] as const)(
    '%s: the rewritten entry %s/%s, launched as the client launches it, serves tools with the original secret',
    async (client, file, name, container, expect_) => {
      const launch = await launchOf(client, paths[file]!, name, [...container]);
      expect(launch.args.slice(-2)).toEqual(['run', expect.any(String)]);
      for (const s of ALL) expect(JSON.stringify(launch)).not.toContain(s);
      // VS Code fills in its own variables before it starts the server.
      if (client === 'vscode') launch.env = Object.fromEntries(Object.entries(launch.env).map(([k, v]) => [k, v.replace('${input:region}', 'eu-west')]));
      const { client: mcp, stderr } = await connect(launch);
      try {
        const { tools } = await mcp.listTools();
        if ('http' in expect_) {
          expect(tools.map((t) => t.name)).toContain('token-sha256');
          expect(textOf(await mcp.callTool({ name: 'token-sha256' }))).toBe(sha256(S[expect_.http]));
          expect(http[expect_.http]!.authorizations).toContain(`Bearer ${S[expect_.http]}`);
        } else {
          expect(tools.map((t) => t.name)).toContain('env-sha256');
          expect(textOf(await mcp.callTool({ name: 'env-sha256', arguments: { name: expect_.env } }))).toBe(sha256(expect_.secret));
          if ('arg' in expect_) expect(textOf(await mcp.callTool({ name: 'arg-sha256', arguments: { index: 0 } }))).toBe(sha256(`--api-key=${expect_.arg}`));
          if (client === 'vscode') expect(textOf(await mcp.callTool({ name: 'env-sha256', arguments: { name: 'REGION' } }))).toBe(sha256('eu-west'));
        }
      } finally {
        await mcp.close();
      }
      for (const s of ALL) expect(stderr()).not.toContain(s);
    },
  );

  it('restore puts every file back byte for byte and takes out what the imports added to server_config.json and the store', async () => {
    for (const client of ['goose', 'zed', 'windsurf', 'vscode', 'cursor', 'claude-code', 'claude-desktop']) {
      const result = await sandbox.run(['clients', 'restore', client]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('Restored');
      for (const s of ALL) expect(result.stdout + result.stderr).not.toContain(s);
    }
    const now = await clientSide();
    expect([...now.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [path, digest] of original) expect(now.get(path), path).toBe(digest);
    expect((await readFile(ownConfigPath(sandbox.home))).equals(ownBefore)).toBe(true);
    const tokens = JSON.parse((await sandbox.run(['token', 'list', '--json'])).stdout) as { name: string }[];
    expect(tokens.map((t) => t.name)).toEqual(['unrelated']);
    const again = await sandbox.run(['clients', 'restore', 'zed']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('nothing to restore');
    expect(existsSync(join(sandbox.home, '.local', 'state', 'mcp-cli', 'clients.lock'))).toBe(false);
  });
});

describe('the records restore needs', () => {
  it('live in the token store, in the reserved namespace, never listed or exported', async () => {
    const box = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'pw', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
    try {
      const key = sentinel('record');
      await writeText(join(box.home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { a: stdioServer({ API_KEY: key }) } }));
      await mkdir(join(box.home, '.config', 'mcp-cli'), { recursive: true });
      expect((await box.run(['clients', 'import', '--yes', 'cursor'])).code).toBe(0);
      const list = JSON.parse((await box.run(['token', 'list', '--json'])).stdout) as { namespace: string }[];
      expect(list.map((t) => t.namespace)).toEqual(['api-key']);
      expect((await box.run(['token', 'list', '--namespace', '.mcp-cli'])).code).toBe(1);
      const files = await filesUnder(box.home);
      for (const [path, bytes] of files) expect(bytes.toString('latin1').includes(key), path).toBe(false);
      expect((await box.run(['clients', 'restore', 'cursor'])).code).toBe(0);
      expect(await readFile(join(box.home, '.cursor', 'mcp.json'), 'utf8')).toContain(key);
    } finally {
      await box.cleanup();
    }
  });
});
