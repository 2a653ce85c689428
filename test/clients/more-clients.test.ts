// The newer clients on one throw-away HOME, each file as the client writes it (comments where its
// format allows them, its own variable syntax, sentinel secrets): Codex CLI (TOML), Gemini CLI,
// Cline, Continue (YAML, a list, block files), OpenCode, Kiro, LM Studio, Crush and GitHub Copilot
// CLI. Each secret is found without being printed and references are not; `import` moves them (none
// left in any file); each rewritten entry, started as its client starts it (its file read with the
// client's parser, the environment the client builds), serves tools/list and tools/call through
// `mcp-cli run` with the original secret; `restore` gives every file back byte for byte.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS } from '../../src/clients/catalog.js';
import { convert } from '../../src/clients/convert.js';
import { editText, parseClientText } from '../../src/clients/formats.js';
import { isClientPath } from '../../src/clients/locations.js';
import { serversOf } from '../../src/clients/scan.js';
import { createSandbox, ownConfigPath, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { clientLaunch, connectLaunch, filesUnder, installShim, sentinel, textOf, writeText, type Policy } from '../helpers/client-configs.js';
import { sha256, startTestMcpHttpServer, STDIO_SERVER, type TestMcpHttpServer } from '../helpers/mcp-servers.js';

const NODE = process.execPath;
const S = {
  codexStdio: sentinel('codex-stdio'),
  codexRemote: sentinel('codex-remote'),
  geminiStdio: sentinel('gemini-stdio'),
  geminiRemote: sentinel('gemini-remote'),
  cline: sentinel('cline'),
  continueStdio: sentinel('continue-stdio'),
  continueRemote: sentinel('continue-remote'),
  opencodeStdio: sentinel('opencode-stdio'),
  opencodeRemote: sentinel('opencode-remote'),
  kiro: sentinel('kiro'),
  lmStudio: sentinel('lm-studio'),
  crush: sentinel('crush'),
  copilot: sentinel('copilot'),
};
const ALL = Object.values(S);
const NEW_CLIENTS = ['codex', 'gemini', 'cline', 'continue', 'opencode', 'kiro', 'lm-studio', 'crush', 'copilot-cli'] as const;
const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const leaked = (text: string) => ALL.filter((s) => text.includes(s));

let sandbox: Sandbox;
let shimDir: string;
const http: Record<string, TestMcpHttpServer> = {};
const paths: Record<string, string> = {};

beforeAll(async () => {
  sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'more-clients-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
  const home = sandbox.home;
  shimDir = await installShim(join(home, 'bin'));
  for (const name of ['codexRemote', 'geminiRemote', 'continueRemote', 'opencodeRemote', 'lmStudio'] as const)
    http[name] = await startTestMcpHttpServer({ token: S[name] });
  expect((await sandbox.run(['token', 'set', 'unrelated', '--value', '-'], { input: 'unrelated-value' })).code).toBe(0);
  await writeOwnConfig(home, { mcpServers: {} });

  paths.codex = await writeText(
    join(home, '.codex', 'config.toml'),
    `# Codex configuration, edited by hand
model = "gpt-5"          # the default model
approval_policy = "on-request"

[mcp_servers.notes]
# notes: its key is in plaintext below
command   = ${JSON.stringify(NODE)}
args = [
  ${JSON.stringify(STDIO_SERVER)},   # the server
]
startup_timeout_sec = 20

[mcp_servers.notes.env]
NOTES_API_KEY = "${S.codexStdio}"
LOG_LEVEL = 'debug'     # how much it says

[mcp_servers.docs]
url = "${http.codexRemote!.url}"
http_headers = { Authorization = "Bearer ${S.codexRemote}" }

[mcp_servers.public]   # nothing secret here
command = "npx"
args = ["-y", "@example/public-mcp"]

[profiles.fast]
model = "o4-mini"
`,
    0o600,
  );
  paths.gemini = await writeText(
    join(home, '.gemini', 'settings.json'),
    `{
  // Gemini CLI settings
  "theme": "GitHub",
  "mcpServers": {
    "search": {
      "command": ${JSON.stringify(NODE)},
      "args": [${JSON.stringify(STDIO_SERVER)}],
      "env": { "SEARCH_API_KEY": "${S.geminiStdio}", "REGION": "$GEMINI_REGION" },
      "trust": false
    },
    "remote": { "httpUrl": "${http.geminiRemote!.url}", "headers": { "Authorization": "Bearer ${S.geminiRemote}" }, "timeout": 30000 },
    /* the token comes from the shell: $VAR is Gemini's own reference */
    "fromenv": { "command": "npx", "args": ["-y", "@example/mcp"], "env": { "API_TOKEN": "$MY_API_TOKEN" } }
  }
}
`,
  );
  paths.cline = await writeText(
    join(home, '.config', 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'),
    JSON.stringify(
      {
        mcpServers: {
          linear: {
            command: NODE,
            args: [STDIO_SERVER],
            env: { LINEAR_API_KEY: S.cline, WORKSPACE: '${env:LINEAR_WORKSPACE}' },
            disabled: false,
            autoApprove: [],
          },
          fromenv: { command: 'npx', args: ['-y', '@example/mcp'], env: { API_KEY: '${env:EXAMPLE_API_KEY}' }, disabled: true, autoApprove: [] },
        },
      },
      null,
      2,
    ),
  );
  paths.continue = await writeText(
    join(home, '.continue', 'config.yaml'),
    `# Continue configuration
name: Local Config
version: 1.0.0
schema: v1
models: []
mcpServers:
  # Brave search, its key in plaintext
  - name: brave
    command: ${NODE}
    args:
      - ${STDIO_SERVER}
    env:
      BRAVE_API_KEY: ${S.continueStdio}
  - name: GitHub
    command: npx
    args:
      - -y
      - "@modelcontextprotocol/server-github"
    env:
      GITHUB_PERSONAL_ACCESS_TOKEN: \${{ secrets.GITHUB_PERSONAL_ACCESS_TOKEN }}
`,
  );
  paths.continueBlock = await writeText(
    join(home, '.continue', 'mcpServers', 'docs.yaml'),
    `name: Remote docs   # a block of its own
version: 0.0.1
schema: v1
mcpServers:
  - name: docs
    type: streamable-http
    url: ${http.continueRemote!.url}
    requestOptions:
      headers:
        Authorization: Bearer ${S.continueRemote}
`,
  );
  paths.opencode = await writeText(
    join(home, '.config', 'opencode', 'opencode.json'),
    `{
  "$schema": "https://opencode.ai/config.json",
  // MCP servers
  "mcp": {
    "jira": {
      "type": "local",
      "command": [${JSON.stringify(NODE)}, ${JSON.stringify(STDIO_SERVER)}],
      "environment": { "JIRA_API_TOKEN": "${S.opencodeStdio}" },
      "enabled": true,
    },
    "context7": { "type": "remote", "url": "https://mcp.context7.com/mcp", "headers": { "CONTEXT7_API_KEY": "{env:CONTEXT7_API_KEY}" } },
    "sentry": { "type": "remote", "url": "${http.opencodeRemote!.url}", "headers": { "Authorization": "Bearer ${S.opencodeRemote}" } },
  },
}
`,
  );
  paths.kiro = await writeText(
    join(home, '.kiro', 'settings', 'mcp.json'),
    JSON.stringify(
      {
        mcpServers: {
          'aws-docs': {
            command: NODE,
            args: [STDIO_SERVER],
            env: { AWS_SECRET_ACCESS_KEY: S.kiro, FASTMCP_LOG_LEVEL: 'ERROR', PROFILE: '${AWS_PROFILE}' },
            disabled: false,
            autoApprove: [],
          },
        },
      },
      null,
      2,
    ),
  );
  paths.lmStudio = await writeText(
    join(home, '.lmstudio', 'mcp.json'),
    JSON.stringify({ mcpServers: { 'hf-mcp-server': { url: http.lmStudio!.url, headers: { Authorization: `Bearer ${S.lmStudio}` } } } }, null, 2),
  );
  paths.crush = await writeText(
    join(home, '.config', 'crush', 'crush.json'),
    `{
  "$schema": "https://charm.land/crush.json",
  "mcp": {
    // a local one, its token in plaintext
    "filesystem": {
      "type": "stdio",
      "command": ${JSON.stringify(NODE)},
      "args": [${JSON.stringify(STDIO_SERVER)}],
      "env": { "FS_TOKEN": "${S.crush}", "NODE_ENV": "$NODE_ENV" },
      "timeout": 120,
    },
    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/", "headers": { "Authorization": "Bearer $(op read op://dev/github/token)" } },
  },
}
`,
  );
  paths.copilot = await writeText(
    join(home, '.copilot', 'mcp-config.json'),
    JSON.stringify(
      {
        mcpServers: {
          playwright: { type: 'local', command: 'npx', args: ['@playwright/mcp@latest'], tools: ['*'] },
          notion: { type: 'local', command: NODE, args: [STDIO_SERVER], env: { NOTION_TOKEN: S.copilot }, tools: ['*'] },
        },
      },
      null,
      2,
    ),
  );
});

afterAll(async () => {
  await Promise.all(Object.values(http).map((h) => h.close()));
  await sandbox?.cleanup();
});

/** Every file under HOME except mcp-cli's own state (the store, the audit log, approvals). */
async function clientSide(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [path, bytes] of await filesUnder(sandbox.home)) if (!path.includes(join(sandbox.home, '.local'))) out.set(path, hash(bytes));
  return out;
}

/** The environment each client itself runs in: the user's, with mcp-cli on PATH. */
const own = (): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(sandbox.env)) if (v !== undefined) env[k] = v;
  return { ...env, PATH: [shimDir, process.env.PATH].join(delimiter), GEMINI_REGION: 'eu-west' };
};

interface Listed {
  clients: { id: string; files: { path: string; secrets: { where: string }[]; servers: { name: string; secrets: { where: string; kind: string }[] }[] }[] }[];
}

describe('the newer clients, on one HOME', () => {
  let original: Map<string, string>;
  let ownBefore: Buffer;

  it('finds every sentinel by where it is, never by value; the clients’ own references are no secrets', async () => {
    original = await clientSide();
    ownBefore = await readFile(ownConfigPath(sandbox.home));
    const json = await sandbox.run(['clients', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(leaked(json.stdout + json.stderr)).toEqual([]);
    const report = JSON.parse(json.stdout) as Listed;
    expect(report.clients.map((c) => c.id)).toEqual([...NEW_CLIENTS]);
    const found = report.clients.flatMap((c) =>
      c.files.flatMap((f) => [
        ...f.secrets.map((x) => `${c.id} - ${x.where}`),
        ...f.servers.flatMap((s) => s.secrets.map((x) => `${c.id} ${s.name} ${x.where} ${x.kind}`)),
      ]),
    );
    expect(found.sort()).toEqual(
      [
        'codex notes env.NOTES_API_KEY api-key',
        'codex docs headers.Authorization bearer',
        'gemini search env.SEARCH_API_KEY api-key',
        'gemini remote headers.Authorization bearer',
        'cline linear env.LINEAR_API_KEY api-key',
        'continue brave env.BRAVE_API_KEY api-key',
        'continue docs headers.Authorization bearer',
        'opencode jira env.JIRA_API_TOKEN bearer',
        'opencode sentry headers.Authorization bearer',
        'kiro aws-docs env.AWS_SECRET_ACCESS_KEY api-key',
        'lm-studio hf-mcp-server headers.Authorization bearer',
        'crush filesystem env.FS_TOKEN bearer',
        'copilot-cli notion env.NOTION_TOKEN bearer',
      ].sort(),
    );
    // Continue's block file is a file of Continue's too.
    expect(report.clients.find((c) => c.id === 'continue')!.files.map((f) => f.path)).toEqual([paths.continue, paths.continueBlock]);
    const check = await sandbox.spawn(['clients', '--check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`${ALL.length} plaintext secrets in MCP client configs`);
    expect(leaked(check.stdout + check.stderr)).toEqual([]);
  });

  it('import --dry-run shows each plan and diff, masked, and changes no file', async () => {
    const before = await filesUnder(sandbox.home);
    for (const client of NEW_CLIENTS) {
      const dry = await sandbox.run(['clients', 'import', client, '--dry-run']);
      expect(dry.code, `${client}: ${dry.stderr}`).toBe(0);
      expect(dry.stdout).toMatch(/^\+\+\+ /m);
      expect(dry.stdout).toContain('${TOKEN:');
      expect(leaked(dry.stdout + dry.stderr)).toEqual([]);
    }
    const after = await filesUnder(sandbox.home);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [path, bytes] of before) expect(hash(after.get(path)!), path).toBe(hash(bytes));
  });

  it('import moves every sentinel into the store, keeping each file’s comments, layout and mode', async () => {
    const modes = new Map<string, number>();
    for (const p of Object.values(paths)) modes.set(p, (await stat(p)).mode);
    for (const client of NEW_CLIENTS) {
      // Codex and Continue get node and the script by absolute paths; Continue's `docs` is taken by Codex's: --rename.
      const extra = client === 'codex' ? [] : client === 'continue' ? ['--rename'] : ['--command', 'mcp-cli'];
      const result = await sandbox.run(['clients', 'import', '--yes', client, ...extra]);
      expect(result.code, `${client}: ${result.stderr}`).toBe(0);
      expect(leaked(result.stdout + result.stderr)).toEqual([]);
    }
    for (const [path, bytes] of await filesUnder(sandbox.home)) expect(leaked(bytes.toString('latin1')), path).toEqual([]);
    for (const [p, mode] of modes) expect((await stat(p)).mode, p).toBe(mode);
    const codex = await readFile(paths.codex!, 'utf8');
    for (const kept of [
      '# Codex configuration, edited by hand\n',
      'model = "gpt-5"          # the default model\n',
      '# notes: its key is in plaintext below\n',
    ])
      expect(codex).toContain(kept);
    expect(codex).toContain(
      '[mcp_servers.public]   # nothing secret here\ncommand = "npx"\nargs = ["-y", "@example/public-mcp"]\n\n[profiles.fast]\nmodel = "o4-mini"\n',
    );
    expect(await readFile(paths.gemini!, 'utf8')).toContain("/* the token comes from the shell: $VAR is Gemini's own reference */");
    expect(await readFile(paths.continue!, 'utf8')).toContain('# Brave search, its key in plaintext\n');
    expect(await readFile(paths.continueBlock!, 'utf8')).toContain('name: Remote docs   # a block of its own\n');
    expect(await readFile(paths.crush!, 'utf8')).toContain('// a local one, its token in plaintext');
    // What Codex reads: the entry starts mcp-cli run and names mcp-cli's own variables, which Codex would not hand on otherwise.
    const notes = (parseToml(codex) as { mcp_servers: Record<string, Record<string, unknown>> }).mcp_servers.notes!;
    expect(notes.args).toEqual(['--', expect.stringMatching(/cli\.js$/), 'run', 'notes']);
    expect(notes.env_vars).toEqual(expect.arrayContaining(['MCP_CLI_TOKEN_BACKEND', 'MCP_CLI_ENCRYPTION_KEY', 'XDG_CONFIG_HOME']));
    expect(notes.env).toBeUndefined();
    const ownConfig = JSON.parse(await readFile(ownConfigPath(sandbox.home), 'utf8')) as { mcpServers: Record<string, { env?: Record<string, string> }> };
    expect(Object.keys(ownConfig.mcpServers).sort()).toEqual(
      ['aws-docs', 'brave', 'docs', 'docs-2', 'filesystem', 'hf-mcp-server', 'jira', 'linear', 'notes', 'notion', 'remote', 'search', 'sentry'].sort(),
    );
    // A value the client fills in itself reaches the server through the environment it gives mcp-cli run.
    expect(ownConfig.mcpServers.search!.env).toEqual({ SEARCH_API_KEY: '${TOKEN:api-key:search-api-key}', REGION: '${REGION}' });
  });

  it.each([
    ['codex', 'codex', ['mcp_servers', 'notes'], { env: 'NOTES_API_KEY', secret: S.codexStdio }],
    ['codex', 'codex', ['mcp_servers', 'docs'], { http: 'codexRemote' }],
    ['gemini', 'gemini', ['mcpServers', 'search'], { env: 'SEARCH_API_KEY', secret: S.geminiStdio }],
    ['gemini', 'gemini', ['mcpServers', 'remote'], { http: 'geminiRemote' }],
    ['cline', 'cline', ['mcpServers', 'linear'], { env: 'LINEAR_API_KEY', secret: S.cline }],
    ['continue', 'continue', ['mcpServers', 0], { env: 'BRAVE_API_KEY', secret: S.continueStdio }],
    ['continue', 'continueBlock', ['mcpServers', 0], { http: 'continueRemote' }],
    ['opencode', 'opencode', ['mcp', 'jira'], { env: 'JIRA_API_TOKEN', secret: S.opencodeStdio }],
    ['opencode', 'opencode', ['mcp', 'sentry'], { http: 'opencodeRemote' }],
    ['kiro', 'kiro', ['mcpServers', 'aws-docs'], { env: 'AWS_SECRET_ACCESS_KEY', secret: S.kiro }],
    ['lm-studio', 'lmStudio', ['mcpServers', 'hf-mcp-server'], { http: 'lmStudio' }],
    ['crush', 'crush', ['mcp', 'filesystem'], { env: 'FS_TOKEN', secret: S.crush }],
    ['copilot-cli', 'copilot', ['mcpServers', 'notion'], { env: 'NOTION_TOKEN', secret: S.copilot }],
  ] as const)('%s: %s %j, started as the client starts it, serves tools with the original secret', async (policy, file, entryPath, want) => {
    const launch = await clientLaunch(policy as Policy, paths[file]!, [...entryPath], own());
    expect(launch.args.slice(-2)[0]).toBe('run');
    expect(leaked(JSON.stringify(launch.args) + launch.command)).toEqual([]);
    const { client, stderr } = await connectLaunch(sandbox, launch);
    try {
      const { tools } = await client.listTools();
      if ('http' in want) {
        expect(tools.map((t) => t.name)).toContain('token-sha256');
        expect(textOf(await client.callTool({ name: 'token-sha256' }))).toBe(sha256(S[want.http]));
      } else {
        expect(tools.map((t) => t.name)).toContain('env-sha256');
        expect(textOf(await client.callTool({ name: 'env-sha256', arguments: { name: want.env } }))).toBe(sha256(want.secret));
        if (policy === 'gemini') expect(textOf(await client.callTool({ name: 'env-sha256', arguments: { name: 'REGION' } }))).toBe(sha256('eu-west'));
      }
    } finally {
      await client.close();
    }
    expect(leaked(stderr())).toEqual([]);
  });

  it('restore puts every file back byte for byte, and takes out what the imports added', async () => {
    for (const client of [...NEW_CLIENTS].reverse()) {
      const result = await sandbox.run(['clients', 'restore', client]);
      expect(result.code, `${client}: ${result.stderr}`).toBe(0);
      expect(leaked(result.stdout + result.stderr)).toEqual([]);
    }
    const now = await clientSide();
    expect([...now.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [path, digest] of original) expect(now.get(path), path).toBe(digest);
    expect((await readFile(ownConfigPath(sandbox.home))).equals(ownBefore)).toBe(true);
    const tokens = JSON.parse((await sandbox.run(['token', 'list', '--json'])).stdout) as { name: string }[];
    expect(tokens.map((t) => t.name)).toEqual(['unrelated']);
  });
});

describe('Codex CLI config.toml', () => {
  it('an edit changes only the entry: comments, spacing, quotes, order and line ends elsewhere stay byte for byte', () => {
    const text = [
      '# top comment\r\n',
      "model   =   'o3'    # aligned\r\n",
      '\r\n',
      '[mcp_servers.keep]\r\n',
      '\tcommand = "npx"\t# tab before\r\n',
      "\targs = [ 'a',\r\n",
      '\t\t"b" ]  # wrapped\r\n',
      '\r\n',
      '[mcp_servers.move]\r\n',
      '# about move\r\n',
      'command = "node"\r\n',
      'env = { API_KEY = "k", MODE = "x" }\r\n',
      '\r\n',
      '[tui]\r\n',
      'notifications = true # last\r\n',
    ].join('');
    const entry = { command: 'mcp-cli', args: ['run', 'move'], env_vars: ['MCP_CLI_TOKEN_BACKEND'] };
    const out = editText('toml', text, [{ path: ['mcp_servers', 'move'], value: entry }], 'config.toml');
    expect(out).toBe(
      text.replace(
        'command = "node"\r\nenv = { API_KEY = "k", MODE = "x" }\r\n',
        'command = "mcp-cli"\r\nargs = [ "run", "move" ]\r\nenv_vars = [ "MCP_CLI_TOKEN_BACKEND" ]\r\n',
      ),
    );
    expect(parseToml(out)).toEqual({
      model: 'o3',
      mcp_servers: { keep: { command: 'npx', args: ['a', 'b'] }, move: entry },
      tui: { notifications: true },
    });
  });

  it('a server named __proto__ is a server like any other', () => {
    const text = '[mcp_servers.__proto__]\ncommand = "x"\n[mcp_servers.__proto__.env]\nAPI_KEY = "abcdef123456"\n';
    const [server] = serversOf(CLIENTS.codex, parseClientText('toml', text, 'c.toml'), 'user');
    expect(server!.name).toBe('__proto__');
    expect(server!.findings.map((f) => f.field)).toEqual([{ part: 'env', key: 'API_KEY' }]);
    const out = editText('toml', text, [{ path: ['mcp_servers', '__proto__'], value: { command: 'mcp-cli', args: ['run', '__proto__'] } }], 'c.toml');
    expect(Object.getOwnPropertyNames((parseToml(out) as { mcp_servers: object }).mcp_servers)).toEqual(['__proto__']);
  });

  it('invalid TOML is named by line and column, never by its text', () => {
    expect(() => parseClientText('toml', 'a = "ok"\nkey = "SECRETVALUE\n', '/c.toml')).toThrow(/^\/c\.toml:2:\d+: invalid TOML; the file was left as it is$/);
    try {
      parseClientText('toml', 'a = "ok"\nkey = "SECRETVALUE\n', '/c.toml');
    } catch (error) {
      expect((error as Error).message).not.toContain('SECRETVALUE');
    }
  });
});

describe("each client's variables", () => {
  const secret = 'ghp_' + 'A1b2C3d4E5'.repeat(4);
  it.each([
    ['opencode', { mcp: { s: { type: 'remote', url: 'https://{env:TENANT}.example/mcp', headers: { Authorization: `Bearer ${secret}` } } } }, 'url'],
    ['gemini', { mcpServers: { s: { httpUrl: '$BASE_URL/mcp', headers: { Authorization: `Bearer ${secret}` } } } }, 'url'],
    ['crush', { mcp: { s: { type: 'stdio', command: 'node', args: ['$(pwd)/server.js'], env: { GH_TOKEN: secret } } } }, 'args[0]'],
    ['cline', { mcpServers: { s: { command: '${env:SERVER_BIN}', env: { GH_TOKEN: secret } } } }, 'command'],
    ['kiro', { mcpServers: { s: { command: 'node', args: ['/srv/a.js'], env: { GH_TOKEN: secret, API_BASE_URL: '$API_BASE' } } } }, 'env.API_BASE_URL'],
    ['copilot-cli', { mcpServers: { s: { type: 'http', url: '${HOST}/mcp', headers: { Authorization: `Bearer ${secret}` } } } }, 'url'],
  ] as const)('%s: a destination its own variable decides keeps a server with a secret out of the import', (id, data, field) => {
    const client = CLIENTS[id];
    const [server] = serversOf(client, data, 'user');
    expect(server!.findings.map((f) => f.value)).toEqual([secret]);
    const converted = convert(client, server!);
    expect(converted).toEqual({ unsupported: expect.stringContaining(`its ${field} comes from a ${client.name} variable, and it carries a secret`) });
  });

  it.each([
    ['continue', { mcpServers: [{ name: 's', command: 'npx', env: { GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}', REGION: '${{ inputs.region }}' } }] }],
    ['opencode', { mcp: { s: { type: 'local', command: ['npx', 'x'], environment: { API_KEY: '{env:API_KEY}', CERT: '{file:~/.secrets/cert.pem}' } } } }],
    ['gemini', { mcpServers: { s: { command: 'npx', env: { API_KEY: '$MY_API_KEY', TOKEN: '${MY_TOKEN:-none}' } } } }],
    ['crush', { mcp: { s: { type: 'stdio', command: 'npx', env: { API_KEY: '$(op read op://vault/key)', TOKEN: '${TOKEN}' } } } }],
    ['cline', { mcpServers: { s: { command: 'npx', env: { API_KEY: '${env:API_KEY}' } } } }],
  ] as const)('%s: references of its own are no secrets, and stay with the client', (id, data) => {
    const client = CLIENTS[id];
    const [server] = serversOf(client, data, 'user');
    expect(server!.findings).toEqual([]);
    const converted = convert(client, server!);
    if ('unsupported' in converted) throw new Error(converted.unsupported);
    const env = (converted.configEntry() as { env: Record<string, string> }).env;
    for (const [key, value] of Object.entries(env)) expect(value).toBe(`\${${key}}`);
    expect(Object.keys(converted.passThrough).sort()).toEqual(Object.keys(env).sort());
  });
});

const INSTALL_PASSPHRASE = sentinel('install-passphrase');

describe('clients install into each newer client', () => {
  let box: Sandbox;
  beforeAll(async () => {
    box = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: INSTALL_PASSPHRASE, MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
    await writeOwnConfig(box.home, { mcpServers: { tools: { command: NODE, args: [STDIO_SERVER], env: { GREETING: 'hello' } } } });
  });
  afterAll(() => box?.cleanup());

  it.each([
    ['codex', '.codex/config.toml', ['mcp_servers', 'tools']],
    ['gemini', '.gemini/settings.json', ['mcpServers', 'tools']],
    ['cline', '.cline/data/settings/cline_mcp_settings.json', ['mcpServers', 'tools']],
    ['continue', '.continue/config.yaml', ['mcpServers', 0]],
    ['opencode', '.config/opencode/opencode.json', ['mcp', 'tools']],
    ['kiro', '.kiro/settings/mcp.json', ['mcpServers', 'tools']],
    ['lm-studio', '.lmstudio/mcp.json', ['mcpServers', 'tools']],
    ['crush', '.config/crush/crush.json', ['mcp', 'tools']],
    ['copilot-cli', '.copilot/mcp-config.json', ['mcpServers', 'tools']],
  ] as const)('%s: a new %s whose entry starts mcp-cli run', async (id, file, entryPath) => {
    const result = await box.run(['clients', 'install', 'tools', '--client', id, '--command', 'mcp-cli']);
    expect(result.code, result.stderr).toBe(0);
    const path = join(box.home, file);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const text = await readFile(path, 'utf8');
    const launch = await clientLaunch(id as Policy, path, [...entryPath], { HOME: box.home, PATH: '/usr/bin', MCP_CLI_TOKEN_BACKEND: 'encrypted' });
    expect(launch).toMatchObject({ command: 'mcp-cli', args: ['run', 'tools'] });
    // A client that starts servers with a few variables only is given mcp-cli's own by name, never their values.
    if (!CLIENTS[id].inheritsEnvironment) expect(launch.env.MCP_CLI_TOKEN_BACKEND).toBe('encrypted');
    expect(text).not.toContain(INSTALL_PASSPHRASE);
    if (id === 'continue') expect(text).toMatch(/^name: Local Config\nversion: 1\.0\.0\nschema: v1\n/);
    if (id === 'copilot-cli') expect(JSON.parse(text).mcpServers.tools.tools).toEqual(['*']);
    const again = await box.run(['clients', 'install', 'tools', '--client', id, '--command', 'mcp-cli']);
    expect(again.stderr).toContain('already starts mcp-cli run tools');
  });

  it('continue --project: a block file of its own in .continue/mcpServers', async () => {
    const project = join(box.home, 'proj');
    const result = await box.run(['clients', 'install', 'tools', '--client', 'continue', '--project', project]);
    expect(result.code, result.stderr).toBe(0);
    const text = await readFile(join(project, '.continue', 'mcpServers', 'mcp-cli.yaml'), 'utf8');
    expect(text).toMatch(/^name: mcp-cli\nversion: 0\.0\.1\nschema: v1\nmcpServers:\n {2}- name: tools\n/);
    // A shared file names none of this shell's variables.
    expect(text).not.toContain('MCP_CLI_');
  });

  it('a comment of a Codex file that holds a secret is found by its line, and stops an import of that file', async () => {
    const key = sentinel('codex-comment');
    const text = `# old: api_key = "${key}-a1"\n[mcp_servers.x]\ncommand = "npx"\nenv = { X_API_KEY = "${sentinel('x')}" }\n`;
    const path = await writeText(join(box.home, 'p2', '.codex', 'config.toml'), text);
    const listed = await box.run(['clients', '--project', join(box.home, 'p2'), '--json']);
    expect(listed.stdout).toContain('"where": "comment (line 1)"');
    const result = await box.run(['clients', 'import', '--yes', 'codex', '--project', join(box.home, 'p2')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${path}:1: a comment holds what looks like a secret`);
    expect(result.stdout + result.stderr).not.toContain(key);
    expect(await readFile(path, 'utf8')).toBe(text);
  });
});

describe("Continue's block files", () => {
  it('are its files right in its directories only: a restore record can name no other', () => {
    const where = { env: { HOME: '/home/me' }, platform: 'linux' as const };
    const client = CLIENTS.continue;
    expect(isClientPath(client, where, '/home/me/.continue/config.yaml')).toBe(true);
    expect(isClientPath(client, where, '/home/me/.continue/mcpServers/docs.yaml')).toBe(true);
    expect(isClientPath(client, where, '/home/me/.continue/mcpServers/docs.yml')).toBe(true);
    expect(isClientPath(client, where, '/home/me/.continue/mcpServers/../../.bashrc')).toBe(false);
    expect(isClientPath(client, where, '/home/me/.continue/mcpServers/sub/docs.yaml')).toBe(false);
    expect(isClientPath(client, where, '/home/me/.continue/mcpServers/docs.json')).toBe(false);
    expect(isClientPath(client, { project: '/work/app' }, '/work/app/.continue/mcpServers/a.yaml')).toBe(true);
    expect(isClientPath(client, { project: '/work/app' }, '/home/me/.continue/mcpServers/a.yaml')).toBe(false);
  });
});
