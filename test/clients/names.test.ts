// Names that are also properties of every JavaScript object (`__proto__`, `constructor`, `toString`):
// a server, a variable or a header of such a name is a name like any other, from a client's file
// through `clients import` to `mcp-cli run`, and one that is not there is not found.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/config/schema.js';
import { resolveServers } from '../../src/config/resolve.js';
import { createSandbox, ownConfigPath, type Sandbox } from '../helpers/cli.js';
import { connectAsClient, filesUnder, installShim, launchOf, sentinel, stdioServer, textOf, writeText } from '../helpers/client-configs.js';
import { sha256 } from '../helpers/mcp-servers.js';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;
const secrets = Object.fromEntries(NAMES.map((n) => [n, sentinel(`name-${n.replace(/_/g, '')}`)]));

describe('a server named __proto__, constructor or toString', () => {
  let sandbox: Sandbox;
  let shimDir: string;
  let cursor: string;
  let before: Buffer;

  beforeAll(async () => {
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'pw', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
    shimDir = await installShim(join(sandbox.home, 'bin'));
    // JSON.stringify writes "__proto__" as a key when it is an own property, as JSON.parse makes it.
    const servers = JSON.parse(`{${NAMES.map((n) => `${JSON.stringify(n)}: ${JSON.stringify(stdioServer({ API_KEY: secrets[n]! }))}`).join(',')}}`);
    cursor = await writeText(join(sandbox.home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: servers }, null, 2) + '\n');
    before = await readFile(cursor);
  });
  afterAll(() => sandbox.cleanup());

  it('is moved by clients import, and mcp-cli run starts it with its secret', async () => {
    const result = await sandbox.run(['clients', 'import', '--yes', 'cursor', '--command', 'mcp-cli']);
    expect(result.code, result.stderr).toBe(0);
    for (const s of Object.values(secrets)) expect(result.stdout + result.stderr).not.toContain(s);
    const own = JSON.parse(await readFile(ownConfigPath(sandbox.home), 'utf8')) as { mcpServers: object };
    expect(Object.keys(own.mcpServers).sort()).toEqual([...NAMES].sort());
    for (const [path, bytes] of await filesUnder(sandbox.home))
      for (const s of Object.values(secrets)) expect(bytes.toString('latin1').includes(s), path).toBe(false);

    for (const name of NAMES) {
      const launch = await launchOf('cursor', cursor, name, ['mcpServers']);
      expect(launch.args).toEqual(['run', name]);
      const { client, stderr } = await connectAsClient(sandbox, launch, shimDir);
      try {
        expect(textOf(await client.callTool({ name: 'env-sha256', arguments: { name: 'API_KEY' } })), name).toBe(sha256(secrets[name]!));
      } finally {
        await client.close();
      }
      expect(stderr()).not.toContain(secrets[name]!);
    }
  });

  it('is put back by clients restore, byte for byte', async () => {
    expect((await sandbox.run(['clients', 'restore', 'cursor'])).code).toBe(0);
    expect((await readFile(cursor)).equals(before)).toBe(true);
  });

  it('that is not configured is not found (no property of an object stands in for it)', async () => {
    await writeText(ownConfigPath(sandbox.home), JSON.stringify({ mcpServers: { real: { command: 'true' } } }));
    for (const name of NAMES) {
      const result = await sandbox.run(['config', 'show', name]);
      expect(result.code, name).toBe(1);
      expect(result.stderr).toContain(`no server '${name}' in`);
    }
  });
});

describe('server_config.json read by mcp-cli run', () => {
  const location = { path: '/home/me/.config/mcp-cli/server_config.json', source: 'the config directory' };
  const text = `{"mcpServers": {
    "__proto__": {"command": "srv", "args": ["--x"], "env": {"__proto__": "\${TOKEN:api-key:p}", "constructor": "c"}},
    "web": {"url": "https://example.com/mcp", "headers": {"__proto__": "h", "toString": "t"}}
  }}`;

  it('keeps every server, variable and header, __proto__ included', async () => {
    const config = parseServerConfig(JSON.parse(text), location);
    expect(Object.keys(config.servers).sort()).toEqual(['__proto__', 'web']);
    expect(Object.hasOwn(config.servers, '__proto__')).toBe(true);
    const proto = config.servers['__proto__']!;
    expect(proto.transport === 'stdio' && Object.keys(proto.env).sort()).toEqual(['__proto__', 'constructor']);
    const web = config.servers.web!;
    expect(web.transport !== 'stdio' && Object.keys(web.headers).sort()).toEqual(['__proto__', 'toString']);

    const [resolved] = await resolveServers(config.servers, ['__proto__'], {
      lookup: async (key) => ({
        metadata: { ...key, type: 'api-key', details: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' },
        secret: { key: 'resolved' },
      }),
      env: {},
      now: new Date('2026-06-01T00:00:00Z'),
    });
    expect(resolved!.entry.transport === 'stdio' && Object.entries(resolved!.entry.env)).toEqual([
      ['__proto__', 'resolved'],
      ['constructor', 'c'],
    ]);
  });
});
