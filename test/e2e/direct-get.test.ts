// `token get NAME --show-value` skips the command table (src/cli/direct-get.ts). The same request
// through the full parser (a global option makes it take that path) must give the same result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/cli.js';

const SECRET = 'SENTINEL-direct-get';
let sb: Sandbox;

beforeAll(async () => {
  sb = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'direct path passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' });
  const store = async (args: string[], value: string) => expect((await sb.run(['token', 'set', ...args, '--value', '-'], { input: value })).code).toBe(0);
  await store(['only-bearer'], `${SECRET}-1`);
  await store(['twice'], `${SECRET}-2`);
  await store(['twice', '--type', 'api-key', '--provider', 'openai'], `${SECRET}-3`);
  await store(['old', '--expires', '2020-01-01'], `${SECRET}-4`);
});
afterAll(() => sb.cleanup());

async function bothWays(args: string[], env: Record<string, string> = {}) {
  const direct = await sb.run(['token', 'get', ...args], { env });
  const parsed = await sb.run(['--token-backend', 'encrypted', 'token', 'get', ...args], { env });
  expect(direct).toEqual(parsed);
  return direct;
}

describe('token get --show-value without the command table', () => {
  it('prints the value, with or without a namespace', async () => {
    expect(await bothWays(['only-bearer', '--show-value'])).toEqual({ code: 0, stdout: `${SECRET}-1\n`, stderr: '' });
    expect((await bothWays(['twice', '--show-value', '--namespace', 'api-key'])).stdout).toBe(`${SECRET}-3\n`);
  });

  it('reports a missing, ambiguous or invalid name the same way, with exit 1', async () => {
    for (const args of [
      ['nope', '--show-value'],
      ['twice', '--show-value'],
      ['bad name!', '--show-value'],
      ['only-bearer', '--show-value', '--oauth'],
    ]) {
      const r = await bothWays(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).not.toContain(SECRET);
    }
  });

  it('refuses --oauth with another namespace, and warns about an expired token', async () => {
    expect((await bothWays(['only-bearer', '--show-value', '--oauth', '--namespace', 'bearer'])).stderr).toContain('contradicts --namespace bearer');
    const expired = await bothWays(['old', '--show-value']);
    expect(expired.stdout).toBe(`${SECRET}-4\n`);
    expect(expired.stderr).toMatch(/expired/);
  });

  it('reports a wrong passphrase the same way, and prints nothing', async () => {
    const r = await bothWays(['only-bearer', '--show-value'], { MCP_CLI_ENCRYPTION_KEY: 'wrong passphrase' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/passphrase/);
  });
});
