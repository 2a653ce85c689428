import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createSandbox, type Sandbox } from '../helpers/cli.js';
import { createQuickTokenFile } from '../helpers/seed-store.js';

// Start-up is a feature: the MCP SDK and zod load only with the commands that need them.
const CHUNKS = join(dirname(CLI), 'chunks');

/** Every file a chunk loads through static imports (dynamic import() is not followed). */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/^import\s*(?:[^'"]*?from\s*)?["'](\.[^"']+)["'];?$/gm)) staticClosure(join(dirname(file), m[1]!), seen);
  return seen;
}

const chunk = (prefix: string) => {
  const name = readdirSync(CHUNKS).find((f) => f.startsWith(`${prefix}-`));
  if (!name) throw new Error(`no ${prefix} chunk in ${CHUNKS}: run \`npm run build\` first`);
  return join(CHUNKS, name);
};
const bundled = (files: Set<string>, pkg: string) => [...files].some((f) => readFileSync(f, 'utf8').includes(`// node_modules/${pkg}/`));
/** The MCP SDK the product is built on (v2's client; v1 is for tests only). */
const MCP_SDK = '@modelcontextprotocol/client';

describe('bundle layout', () => {
  it('holds the SDK v2 client and nothing of the SDK v1, which is a dev dependency for testing against 2025-era peers', () => {
    const files = new Set([CLI, ...readdirSync(CHUNKS).map((f) => join(CHUNKS, f))]);
    expect(bundled(files, MCP_SDK)).toBe(true);
    expect(bundled(files, '@modelcontextprotocol/sdk')).toBe(false);
  });

  it.each(['program', 'list', 'get', 'set'])('%s does not load zod, the MCP SDK, jsonc-parser or yaml', (prefix) => {
    const files = staticClosure(chunk(prefix));
    for (const pkg of ['zod', MCP_SDK, '@modelcontextprotocol/core', 'jsonc-parser', 'yaml']) expect(bundled(files, pkg), pkg).toBe(false);
  });

  it('clients import loads jsonc-parser and yaml, and neither zod nor the MCP SDK', () => {
    const files = staticClosure(chunk('clients-import'));
    expect(bundled(files, 'jsonc-parser')).toBe(true);
    expect(bundled(files, 'yaml')).toBe(true);
    expect(bundled(files, 'zod')).toBe(false);
    expect(bundled(files, MCP_SDK)).toBe(false);
  });

  it.each(['run', 'exec'])('%s loads neither zod nor the MCP SDK before it has to (a stdio server starts without them)', (prefix) => {
    const files = staticClosure(chunk(prefix));
    expect(bundled(files, 'zod')).toBe(false);
    expect(bundled(files, MCP_SDK)).toBe(false);
  });

  it('config show and run validate the config without zod, and load no MCP SDK up front', () => {
    for (const prefix of ['show', 'run', 'servers']) {
      const files = staticClosure(chunk(prefix));
      expect(bundled(files, 'zod'), prefix).toBe(false);
      expect(bundled(files, MCP_SDK), prefix).toBe(false);
    }
  });
});

// The files each token command loads at run time: the core chunk plugin (scripts/core-chunk.mjs)
// keeps them few; a change that splits the core again, or pulls a heavy module onto the path, fails here.
describe('start-up path', () => {
  const PRELOAD = fileURLToPath(new URL('../fixtures/loaded-modules.mjs', import.meta.url));
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'pw', MCP_CLI_TOKEN_BACKEND: 'encrypted' });
    await createQuickTokenFile(sandbox.env.XDG_DATA_HOME!, 'pw');
    expect((await sandbox.run(['token', 'set', 'x', '--value', 'v'])).code).toBe(0);
  });
  afterAll(() => sandbox.cleanup());

  const loaded = async (args: string[]) => {
    const log = join(sandbox.home, `loaded-${args.join('-')}.log`);
    const result = await sandbox.run(args, { nodeArgs: ['--import', PRELOAD], env: { LOADED_MODULES_LOG: log } });
    expect(result.code, result.stderr).toBe(0);
    return (await readFile(log, 'utf8')).trim().split('\n');
  };

  it.each([
    [['--version'], 2],
    [['token', 'get', 'x', '--show-value'], 4],
    [['token', 'list'], 8],
    [['token', 'set', 'y', '--value', 'w'], 8],
    [['token', '--help'], 4],
  ])('%j loads at most %i files of the bundle, and nothing else as a module', async (args, most) => {
    const files = await loaded(args);
    expect(
      files.every((f) => f.startsWith(pathToFileURL(dirname(CLI)).href)),
      files.join('\n'),
    ).toBe(true);
    expect(files.length, files.join('\n')).toBeLessThanOrEqual(most);
  });

  it('clients --help builds the clients group alone: no core, no jsonc-parser or yaml, no other group', async () => {
    const files = (await loaded(['clients', '--help'])).map((url) => fileURLToPath(url));
    const holds = (text: string) => files.some((f) => readFileSync(f, 'utf8').includes(text));
    expect(holds('// src/cli/groups/clients.ts'), files.join('\n')).toBe(true);
    for (const absent of ['// src/tokens/manager.ts', '// src/cli/groups/token.ts', '// node_modules/jsonc-parser/', '// node_modules/yaml/'])
      expect(holds(absent), absent).toBe(false);
  });

  it('help builds only the group asked for, without the core (storage, the token manager)', async () => {
    const files = (await loaded(['token', '--help'])).map((url) => fileURLToPath(url));
    expect(bundled(new Set(files), 'commander')).toBe(true);
    expect(
      files.some((f) => readFileSync(f, 'utf8').includes('// src/tokens/manager.ts')),
      files.join('\n'),
    ).toBe(false);
    expect(
      files.some((f) => readFileSync(f, 'utf8').includes('// src/cli/groups/servers.ts')),
      files.join('\n'),
    ).toBe(false);
  });
});
