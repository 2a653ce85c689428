// Plaintext credentials that `mcp-cli clients` used to miss, in real client file shapes with sentinel
// secrets: passwords in connection strings, mcp-remote `--header` arguments, an AWS secret access
// key starting with "/", passwords that look like placeholders or hold spaces, VS Code input defaults
// and comments. Each is found (and fails --check) without being printed, moved by `import` (none left
// in any file), the rewritten entry still gives the server what it had, and `restore` gives every
// file back byte for byte.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseJsonc } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, ownConfigPath, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { connectAsClient, filesUnder, installShim, launchOf, sentinel, stdioServer, textOf, writeText } from '../helpers/client-configs.js';
import { sha256, startTestMcpHttpServer, STDIO_SERVER, type TestMcpHttpServer } from '../helpers/mcp-servers.js';

const MCP_REMOTE = fileURLToPath(new URL('../../node_modules/.bin/mcp-remote', import.meta.url));

/** An AWS secret access key as AWS issues them (40 characters of base64), this one starting with "/". */
function awsSecretKey(): string {
  for (;;) {
    const key = `/${randomBytes(30).toString('base64').slice(0, 39)}`;
    if (/[a-z]/.test(key) && /[A-Z]/.test(key) && /\d/.test(key)) return key;
  }
}

interface Listed {
  clients: { id: string; files: { path: string; secrets?: { where: string }[]; servers: { name: string; secrets: { where: string; kind: string }[] }[] }[] }[];
  plaintextSecrets: number;
}
const where = (report: Listed) =>
  report.clients.flatMap((c) =>
    c.files.flatMap((f) => [
      ...(f.secrets ?? []).map((x) => `${c.id} - ${x.where}`),
      ...f.servers.flatMap((s) => s.secrets.map((x) => `${c.id} ${s.name} ${x.where} ${x.kind}`)),
    ]),
  );

/** Every process's command line on this machine: what any local user can read in /proc. */
async function allCommandLines(): Promise<string> {
  let out = '';
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) out += await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => '');
  return out;
}

describe('Claude Desktop: connection strings, mcp-remote headers, and passwords the old rules let pass', () => {
  const S = {
    pg: sentinel('pg'),
    databaseUrl: sentinel('database-url'),
    mongo: sentinel('mongo'),
    redis: sentinel('redis'),
    aws: awsSecretKey(),
    placeholderLike: 'my_Passw0rd!2024',
    spaced: `correct horse ${sentinel('spaced')} staple`,
    bearer: sentinel('bearer'),
    authHeader: sentinel('auth-header'),
  };
  const ALL = Object.values(S);
  const pgUrl = `postgresql://admin:${S.pg}@db.internal:5432/app`;
  const env = {
    DATABASE_URL: `postgres://app:${S.databaseUrl}@db.internal/app?sslmode=require`,
    MONGODB_URI: `mongodb+srv://app:${S.mongo}@cluster0.example.net/db?retryWrites=true`,
    REDIS_URL: `redis://:${S.redis}@cache:6379/0`,
    AWS_SECRET_ACCESS_KEY: S.aws,
    DB_PASSWORD: S.placeholderLike,
    SMTP_PASSWORD: S.spaced,
  };
  let sandbox: Sandbox;
  let shimDir: string;
  let desktop: string;
  let before: Map<string, Buffer>;
  const http: TestMcpHttpServer[] = [];
  const leaked = (text: string) => ALL.filter((s) => text.includes(s));

  beforeAll(async () => {
    // Every file of the home is compared after restore: the token file must not exist before the import.
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'pw', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true, quickTokenFile: false });
    shimDir = await installShim(join(sandbox.home, 'bin'));
    http.push(await startTestMcpHttpServer({ token: S.bearer }), await startTestMcpHttpServer({ token: S.authHeader }));
    await writeOwnConfig(sandbox.home, { mcpServers: {} });
    const remote = (url: string, header: string) => ({ command: MCP_REMOTE, args: [url, '--allow-http', '--transport', 'http-only', '--header', header] });
    desktop = await writeText(
      join(sandbox.home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify(
        {
          mcpServers: {
            pg: { ...stdioServer({}), args: [STDIO_SERVER, pgUrl] },
            data: stdioServer(env),
            // The usual way Claude Desktop users reach a remote server, as mcp-remote's README shows it.
            remote: remote(http[0]!.url, `Authorization: Bearer ${S.bearer}`),
            // The README's form for clients that mangle spaces in arguments: the header in a variable.
            viaenv: { ...remote(http[1]!.url, 'Authorization:${AUTH_HEADER}'), env: { AUTH_HEADER: `Bearer ${S.authHeader}` } },
          },
        },
        null,
        2,
      ) + '\n',
    );
    before = await filesUnder(sandbox.home);
  });
  afterAll(async () => {
    await Promise.all(http.map((h) => h.close()));
    await sandbox.cleanup();
  });

  it('finds every one, without printing it, and --check fails', async () => {
    const json = await sandbox.run(['clients', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(leaked(json.stdout + json.stderr)).toEqual([]);
    expect(where(JSON.parse(json.stdout) as Listed).sort()).toEqual(
      [
        'claude-desktop pg args[1] generic',
        'claude-desktop data env.DATABASE_URL generic',
        'claude-desktop data env.MONGODB_URI generic',
        'claude-desktop data env.REDIS_URL generic',
        'claude-desktop data env.AWS_SECRET_ACCESS_KEY api-key',
        'claude-desktop data env.DB_PASSWORD generic',
        'claude-desktop data env.SMTP_PASSWORD generic',
        'claude-desktop remote args[5] bearer',
        'claude-desktop viaenv env.AUTH_HEADER bearer',
      ].sort(),
    );
    const table = await sandbox.run(['clients']);
    expect(leaked(table.stdout + table.stderr)).toEqual([]);
    const check = await sandbox.spawn(['clients', '--check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('9 plaintext secrets in MCP client configs');
    expect(leaked(check.stdout + check.stderr)).toEqual([]);
  });

  it('the plan says which secret would be on a command line, and prints none of them', async () => {
    const dry = await sandbox.run(['clients', 'import', 'claude-desktop', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(leaked(dry.stdout + dry.stderr)).toEqual([]);
    expect(dry.stderr).toMatch(/pg: args\[1\] puts its secret on the command line of the server, which other local users can read/);
    // mcp-remote reads the header from its environment: nothing of it on a command line.
    expect(dry.stderr).not.toMatch(/remote: args/);
    const json = await sandbox.run(['clients', 'import', 'claude-desktop', '--dry-run', '--json']);
    expect(leaked(json.stdout + json.stderr)).toEqual([]);
    const plan = JSON.parse(json.stdout) as { servers: { name: string; warnings: string[] }[] };
    expect(plan.servers.find((s) => s.name === 'pg')!.warnings.join()).toContain('command line');
    expect(plan.servers.find((s) => s.name === 'remote')!.warnings).toEqual([]);
    for (const [path, bytes] of await filesUnder(sandbox.home)) if (before.has(path)) expect(bytes.equals(before.get(path)!), path).toBe(true);
  });

  it('import moves every one: no sentinel in any file, and --check passes', async () => {
    const result = await sandbox.run(['clients', 'import', '--yes', 'claude-desktop']);
    expect(result.code, result.stderr).toBe(0);
    expect(leaked(result.stdout + result.stderr)).toEqual([]);
    for (const [path, bytes] of await filesUnder(sandbox.home)) expect(leaked(bytes.toString('latin1')), path).toEqual([]);
    const own = JSON.parse(await readFile(ownConfigPath(sandbox.home), 'utf8')) as {
      mcpServers: Record<string, { args?: string[]; env?: Record<string, string> }>;
    };
    expect(own.mcpServers.pg!.args![1]).toMatch(/^postgresql:\/\/admin:\$\{TOKEN:generic:[a-z0-9.-]+\}@db\.internal:5432\/app$/);
    expect(own.mcpServers.data!.env!.MONGODB_URI).toMatch(
      /^mongodb\+srv:\/\/app:\$\{TOKEN:generic:[a-z0-9.-]+\}@cluster0\.example\.net\/db\?retryWrites=true$/,
    );
    // mcp-remote gets the header from a variable of its own environment (which other users cannot read), not from its arguments.
    expect(own.mcpServers.remote!.args!.slice(-2)).toEqual(['--header', 'Authorization:$${AUTH_HEADER}']);
    expect(own.mcpServers.remote!.env).toEqual({ AUTH_HEADER: expect.stringMatching(/^Bearer \$\{TOKEN:bearer:[a-z0-9.-]+\}$/) });
    expect(own.mcpServers.viaenv!.args!.slice(-1)).toEqual(['Authorization:$${AUTH_HEADER}']);
    const check = await sandbox.run(['clients', '--check']);
    expect(check.code, check.stderr).toBe(0);
  });

  it('each rewritten entry, launched as Claude Desktop launches it, gives the server what it had', async () => {
    const pg = await connectAsClient(sandbox, await launchOf('claude-desktop', desktop, 'pg', ['mcpServers']), shimDir);
    try {
      expect(textOf(await pg.client.callTool({ name: 'arg-sha256', arguments: { index: 0 } }))).toBe(sha256(pgUrl));
    } finally {
      await pg.client.close();
    }
    const data = await connectAsClient(sandbox, await launchOf('claude-desktop', desktop, 'data', ['mcpServers']), shimDir);
    try {
      for (const [name, value] of Object.entries(env))
        expect(textOf(await data.client.callTool({ name: 'env-sha256', arguments: { name } })), name).toBe(sha256(value));
    } finally {
      await data.client.close();
    }
    expect(leaked(pg.stderr() + data.stderr())).toEqual([]);
  });

  it.each([
    ['remote', 0, 'bearer'],
    ['viaenv', 1, 'authHeader'],
  ] as const)(
    '%s: mcp-remote, started by mcp-cli run, reaches the bearer-protected server with the header, on no command line',
    async (name, server, secret) => {
      const launch = await launchOf('claude-desktop', desktop, name, ['mcpServers']);
      expect(launch.args.slice(-2)).toEqual(['run', name]);
      const { client, stderr } = await connectAsClient(sandbox, launch, shimDir);
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toContain('token-sha256');
        expect(http[server]!.authorizations).toContain(`Bearer ${S[secret]}`);
        expect(await allCommandLines()).not.toContain(S[secret]);
      } finally {
        await client.close();
      }
      expect(leaked(stderr())).toEqual([]);
    },
  );

  it('restore gives every file back byte for byte', async () => {
    const result = await sandbox.run(['clients', 'restore', 'claude-desktop']);
    expect(result.code, result.stderr).toBe(0);
    expect(leaked(result.stdout + result.stderr)).toEqual([]);
    const now = await filesUnder(sandbox.home);
    for (const [path, bytes] of before) expect(now.get(path)?.equals(bytes), path).toBe(true);
  });
});

describe('VS Code: a secret as the default of an input', () => {
  let sandbox: Sandbox;
  let shimDir: string;
  let file: string;
  let text: string;
  const secret = sentinel('input-default');
  beforeAll(async () => {
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'pw', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
    shimDir = await installShim(join(sandbox.home, 'bin'));
    text = `{
\t"inputs": [
\t\t{ "type": "promptString", "id": "search-key", "description": "Search API key", "password": true, "default": "${secret}" },
\t\t{ "type": "promptString", "id": "region", "description": "Region" }
\t],
\t"servers": {
\t\t"search": {
\t\t\t"type": "stdio",
\t\t\t"command": ${JSON.stringify(process.execPath)},
\t\t\t"args": [${JSON.stringify(STDIO_SERVER)}],
\t\t\t"env": { "SEARCH_API_KEY": "\${input:search-key}", "REGION": "\${input:region}" }
\t\t}
\t}
}
`;
    file = await writeText(join(sandbox.home, '.config', 'Code', 'User', 'mcp.json'), text);
  });
  afterAll(() => sandbox.cleanup());

  it('is found as the secret of the servers that use the input, and --check fails', async () => {
    const json = await sandbox.run(['clients', '--json']);
    expect(json.stdout + json.stderr).not.toContain(secret);
    expect(where(JSON.parse(json.stdout) as Listed)).toEqual(['vscode search env.SEARCH_API_KEY api-key']);
    expect((await sandbox.spawn(['clients', '--check'])).code).toBe(1);
  });

  it('import stores it, takes the default out of the input, and the server gets it through mcp-cli run', async () => {
    for (const extra of [[], ['--json']]) {
      const dry = await sandbox.run(['clients', 'import', 'vscode', '--dry-run', ...extra]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout + dry.stderr).not.toContain(secret);
    }
    expect(await readFile(file, 'utf8')).toBe(text);
    const result = await sandbox.run(['clients', 'import', '--yes', 'vscode']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(secret);
    for (const [path, bytes] of await filesUnder(sandbox.home)) expect(bytes.toString('latin1').includes(secret), path).toBe(false);
    const own = JSON.parse(await readFile(ownConfigPath(sandbox.home), 'utf8')) as { mcpServers: Record<string, { env: Record<string, string> }> };
    expect(own.mcpServers.search!.env).toEqual({ SEARCH_API_KEY: '${TOKEN:api-key:search-api-key}', REGION: '${REGION}' });
    const inputs = (parseJsonc(await readFile(file, 'utf8')) as { inputs: Record<string, unknown>[] }).inputs;
    expect(inputs[0]).toEqual({ type: 'promptString', id: 'search-key', description: 'Search API key', password: true });
    const launch = await launchOf('vscode', file, 'search', ['servers']);
    expect(launch.env).toEqual({ REGION: '${input:region}' });
    launch.env.REGION = 'eu-west';
    const { client } = await connectAsClient(sandbox, launch, shimDir);
    try {
      expect(textOf(await client.callTool({ name: 'env-sha256', arguments: { name: 'SEARCH_API_KEY' } }))).toBe(sha256(secret));
    } finally {
      await client.close();
    }
    expect((await sandbox.run(['clients', 'restore', 'vscode'])).code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('an input that no server moved by the import uses keeps the import from finishing', async () => {
    const unused = sentinel('unused-default');
    const other = text.replace(
      '"description": "Region" }',
      `"description": "Region" },\n\t\t{ "type": "promptString", "id": "old-token", "password": true, "default": "${unused}" }`,
    );
    await writeText(file, other);
    const result = await sandbox.run(['clients', 'import', '--yes', 'vscode']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:5: inputs[2].default holds what looks like a secret`);
    expect(result.stdout + result.stderr).not.toContain(unused);
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(await readFile(file, 'utf8')).toBe(other);
  });
});

describe('a secret in a comment', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'pw', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
  });
  afterAll(() => sandbox.cleanup());

  it.each([
    [
      'zed',
      ['.config', 'zed', 'settings.json'],
      (key: string, old: string) =>
        `{\n  "context_servers": {\n    "linear": {\n      "command": "linear-mcp",\n      // the old key: ${old}\n      "env": { "LINEAR_API_KEY": "${key}" }\n    }\n  }\n}\n`,
      5,
    ],
    [
      'vscode',
      ['.config', 'Code', 'User', 'mcp.json'],
      (key: string, old: string) =>
        `{\n  "servers": {\n    /* GITHUB_TOKEN=${old} */\n    "gh": { "type": "stdio", "command": "gh-mcp", "env": { "GITHUB_TOKEN": "${key}" } }\n  }\n}\n`,
      3,
    ],
    [
      'goose',
      ['.config', 'goose', 'config.yaml'],
      (key: string, old: string) =>
        `extensions:\n  brave:\n    type: stdio\n    cmd: brave-mcp\n    envs:\n      BRAVE_API_KEY: ${key} # was: postgres://u:${old}@db/x\n`,
      6,
    ],
  ] as const)('%s: is found by its line, fails --check, and stops the import; nothing is changed', async (client, parts, shape, line) => {
    const key = `sk-${randomBytes(16).toString('hex')}`;
    const old = client === 'goose' ? sentinel('comment') : `ghp_${randomBytes(18).toString('hex')}`;
    const text = shape(key, old);
    const path = await writeText(join(sandbox.home, ...parts), text);
    const json = await sandbox.run(['clients', '--json']);
    expect(json.stdout + json.stderr).not.toContain(old);
    expect(where(JSON.parse(json.stdout) as Listed)).toContain(`${client} - comment (line ${line})`);
    expect((await sandbox.spawn(['clients', '--check'])).code).toBe(1);
    const result = await sandbox.run(['clients', 'import', '--yes', client]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${path}:${line}: a comment holds what looks like a secret`);
    expect(result.stdout + result.stderr).not.toContain(old);
    expect(result.stdout + result.stderr).not.toContain(key);
    expect(await readFile(path, 'utf8')).toBe(text);
  });
});

describe('an entry whose destination comes from a variable', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'pw', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
  });
  afterAll(() => sandbox.cleanup());

  it('is kept out of the import when it carries a secret: whoever sets the variable would receive it', async () => {
    const S = { tenant: sentinel('tenant'), script: sentinel('script'), bin: sentinel('bin'), base: sentinel('base') };
    const file = await writeText(
      join(sandbox.home, '.config', 'Code', 'User', 'mcp.json'),
      JSON.stringify(
        {
          inputs: [{ type: 'promptString', id: 'tenant' }],
          servers: {
            tenant: { type: 'http', url: 'https://${input:tenant}.corp.example/mcp', headers: { Authorization: `Bearer ${S.tenant}` } },
            script: { type: 'stdio', command: 'node', args: ['${workspaceFolder}/server.js'], env: { API_KEY: S.script } },
            bin: { type: 'stdio', command: '${input:bin}', env: { API_KEY: S.bin } },
            base: { type: 'stdio', command: 'node', args: ['/opt/srv/index.js'], env: { API_KEY: S.base, API_BASE_URL: '${input:base}' } },
            open: { type: 'http', url: 'https://${input:tenant}.corp.example/public' },
          },
        },
        null,
        2,
      ),
    );
    const text = await readFile(file, 'utf8');
    const result = await sandbox.run(['clients', 'import', '--yes', 'vscode']);
    expect(result.code, result.stderr).toBe(0);
    for (const [name, field] of [
      ['tenant', 'url'],
      ['script', 'args[0]'],
      ['bin', 'command'],
      ['base', 'env.API_BASE_URL'],
    ])
      expect(result.stdout).toContain(
        `${name}: skipped, its ${field} comes from a VS Code variable, and it carries a secret: whoever sets that variable for mcp-cli run would receive the secret`,
      );
    expect(result.stderr).toContain('Nothing to import from VS Code.');
    for (const s of Object.values(S)) expect(result.stdout + result.stderr).not.toContain(s);
    expect(await readFile(file, 'utf8')).toBe(text);
    await expect(readFile(ownConfigPath(sandbox.home))).rejects.toThrow(/ENOENT/);

    // Without a secret, nothing goes where the variable says: it moves as it is.
    const open = await sandbox.run(['clients', 'import', '--yes', 'vscode', '--servers', 'open']);
    expect(open.code, open.stderr).toBe(0);
    const own = JSON.parse(await readFile(ownConfigPath(sandbox.home), 'utf8')) as { mcpServers: Record<string, { url: string }> };
    expect(own.mcpServers.open!.url).toBe('${MCP_PASS_URL}');
  });

  it('Claude Code: ${VAR} in the url of an entry with a bearer token', async () => {
    const secret = sentinel('code-url');
    await writeText(
      join(sandbox.home, '.claude.json'),
      JSON.stringify({ mcpServers: { api: { type: 'http', url: '${MCP_URL}', headers: { Authorization: `Bearer ${secret}` } } } }),
    );
    const result = await sandbox.run(['clients', 'import', '--yes', 'claude-code']);
    expect(result.stdout).toContain('api: skipped, its url comes from a Claude Code variable');
    expect(result.stdout + result.stderr).not.toContain(secret);
  });
});

describe('a secret that would stay on a command line', () => {
  it('is named in a warning of the import: other local users can read a command line', async () => {
    const sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'pw', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
    try {
      const secret = sentinel('api-key-arg');
      await writeText(join(sandbox.home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { gh: stdioServer({}, [`--api-key=${secret}`]) } }));
      const result = await sandbox.run(['clients', 'import', '--yes', 'cursor']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        "gh: args[1] puts its secret on the command line of the server, which other local users can read (ps, /proc): if the server also reads it from an environment variable, move it into the entry's env in",
      );
      expect(result.stdout + result.stderr).not.toContain(secret);
    } finally {
      await sandbox.cleanup();
    }
  });
});
