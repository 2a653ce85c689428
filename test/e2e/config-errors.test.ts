// What a user meets when their config is missing, empty, broken or shaped for another client: the
// token commands go on where they can, and every error says which file, why it was read, and the fix.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, ownConfigPath, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { rm } from 'node:fs/promises';

const SECRET = 'config-errors-SENTINEL-7c1d';
let sb: Sandbox;

beforeAll(async () => {
  sb = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'config-errors-pass' }, { inProcess: true });
  const set = await sb.run(['token', 'set', 'x', '--type', 'bearer', '--value', '-', '--token-backend', 'encrypted'], { input: SECRET });
  expect(set.code, set.stderr).toBe(0);
});
afterAll(() => sb.cleanup());

describe('an empty or broken server_config.json of the user', () => {
  it.each([
    ['empty', '', 'the file is empty'],
    ['cut short', '{"mcpServers":', 'invalid JSON: unexpected end of input'],
  ])('%s: token commands that name their backend go on, with a warning', async (_what, text, reason) => {
    const path = await writeOwnConfig(sb.home, text);
    const flag = await sb.run(['token', 'get', 'x', '--show-value', '--token-backend', 'encrypted']);
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stdout).toBe(`${SECRET}\n`);
    expect(flag.stderr).toContain(`! ${path}`);
    expect(flag.stderr).toContain(reason);
    expect(flag.stderr).toContain('; its tokenStorage settings, if it has any, are not used');
    const variable = await sb.run(['token', 'list', '--json'], { env: { MCP_CLI_TOKEN_BACKEND: 'encrypted' } });
    expect(variable.code, variable.stderr).toBe(0);
    expect(JSON.parse(variable.stdout)).toHaveLength(1);
  });

  it('without a backend named, the error names the file and why it is read, and the hint both ways out; nothing is read or written', async () => {
    const path = await writeOwnConfig(sb.home, '{"tokenStorage": {"backend": "vault"');
    for (const args of [
      ['token', 'list'],
      ['token', 'get', 'x', '--show-value'],
      ['token', 'set', 'y', '--type', 'bearer', '--value', 'v'],
    ]) {
      const r = await sb.run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`error: ${path}:1:37: invalid JSON: unexpected end of input; mcp-cli reads this file for its tokenStorage settings`);
      expect(r.stderr).toContain('hint: fix the file, or name the backend for this command: --token-backend NAME or MCP_CLI_TOKEN_BACKEND=NAME');
    }
    const list = await sb.run(['token', 'list', '--json', '--token-backend', 'encrypted']);
    expect(JSON.parse(list.stdout).map((t: { name: string }) => t.name)).toEqual(['x']);
  });

  it('servers says the file is empty, as such', async () => {
    const path = await writeOwnConfig(sb.home, '\n');
    const r = await sb.run(['servers']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}: the file is empty`);
  });
});

describe('no config at all', () => {
  it('servers names the user’s own file to create, not ./server_config.json', async () => {
    await rm(ownConfigPath(sb.home), { force: true });
    const r = await sb.run(['servers'], { cwd: join(sb.home, '.config') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: no server_config.json found');
    expect(r.stderr).toContain(
      'hint: create your own config, ~/.config/mcp-cli/server_config.json: it is trusted as it is, and it is the one `mcp-cli run` reads; or pass --config PATH',
    );
    expect(r.stderr).not.toContain('./server_config.json');
  });
});

describe('a config shaped for VS Code', () => {
  it('"servers" instead of "mcpServers" is an error naming the key to use, for servers and run alike', async () => {
    const path = await writeOwnConfig(sb.home, { servers: { docs: { type: 'http', url: 'http://127.0.0.1:9/mcp' } } });
    for (const args of [['servers'], ['run', 'docs'], ['config', 'show']]) {
      const r = await sb.run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(`error: ${path}: has "servers" (the key of VS Code's mcp.json) but no "mcpServers"`);
      expect(r.stderr).toContain('hint: rename "servers" to "mcpServers"');
    }
    await writeOwnConfig(sb.home, { mcpServers: { docs: { type: 'http', url: 'http://127.0.0.1:9/mcp' } } });
    const fixed = await sb.run(['servers', '--json']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(fixed.stdout).servers.map((s: { name: string }) => s.name)).toEqual(['docs']);
  });
});
