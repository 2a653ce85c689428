// Export from one backend, import into another: encrypted file -> Secret Service -> Vault,
// metadata and values intact at every step; rotate and audit work on each backend.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/cli.js';
import { startPrivateKeyring, type PrivateKeyring } from '../helpers/keyring.js';
import { startVaultServer, type VaultServer } from '../helpers/vault-server/server.js';

const SECRET = 'SENTINEL-cross-5b7a';
const EXPORT_PASS = 'bundle pass';
let keyring: PrivateKeyring;
let vault: VaultServer;
let sb: Sandbox;

beforeAll(async () => {
  keyring = await startPrivateKeyring();
  vault = await startVaultServer();
  sb = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'file pass', MCP_CLI_EXPORT_PASSPHRASE: EXPORT_PASS, ...keyring.env });
});
afterAll(async () => {
  await sb?.cleanup();
  await keyring?.stop();
  await vault?.close();
});

const BACKENDS = {
  encrypted: {},
  'secret-service': {},
  vault: () => ({ VAULT_ADDR: vault.address, VAULT_TOKEN: vault.rootToken }),
} as const;
type Backend = keyof typeof BACKENDS;

async function cli(backend: Backend, args: string[], input?: string) {
  const extra = typeof BACKENDS[backend] === 'function' ? (BACKENDS[backend] as () => Record<string, string>)() : {};
  const r = await sb.run(['--token-backend', backend, ...args], { input, env: extra });
  expect(r.code, `${backend}: ${args.join(' ')}: ${r.stderr}`).toBe(0);
  expect(r.stderr).not.toContain('SENTINEL');
  if (!args.includes('--show-value')) expect(r.stdout).not.toContain('SENTINEL');
  return r.stdout;
}

const list = async (backend: Backend) => JSON.parse(await cli(backend, ['token', 'list', '--json'])) as Record<string, unknown>[];

describe('export and import across backends', () => {
  it('encrypted file -> Secret Service -> Vault loses nothing', async () => {
    await cli('encrypted', ['token', 'set', 'my-api', '--type', 'bearer', '--expires', '30d', '--value', '-'], `${SECRET}-bearer`);
    await cli('encrypted', ['token', 'set', 'openai', '--type', 'api-key', '--provider', 'openai', '--organization', 'org-7', '--value', '-'], `${SECRET}-key`);
    await cli('encrypted', ['token', 'set', 'corp', '--type', 'basic', '--username', 'bob', '--value', '-'], `${SECRET}-pw`);
    await cli('encrypted', ['token', 'set', 'shared-api', '--type', 'bearer', '--namespace', 'team', '--value', '-'], `${SECRET}-team`);
    const original = await list('encrypted');

    let from: Backend = 'encrypted';
    for (const to of ['secret-service', 'vault'] as const) {
      const bundle = join(sb.home, `${from}-to-${to}.age`);
      await cli(from, ['token', 'export', bundle]);
      await cli(to, ['token', 'import', bundle]);
      expect(await list(to), `metadata after ${from} -> ${to}`).toEqual(original);
      for (const [name, ns, value] of [
        ['my-api', 'bearer', 'bearer'],
        ['openai', 'api-key', 'key'],
        ['corp', 'generic', 'pw'],
        ['shared-api', 'team', 'team'],
      ]) {
        expect(await cli(to, ['token', 'get', name!, '--namespace', ns!, '--show-value'])).toBe(`${SECRET}-${value}\n`);
      }
      from = to;
    }
    const items = await keyring.secretTool(['search', '--all', 'service', 'mcp-cli']);
    expect(items.stdout).toContain('api-key:openai');
    // Two age bundles and some thirty CLI processes, each deriving keys: minutes on a busy shared machine.
  }, 180_000);

  it.each(['secret-service', 'vault'] as const)('rotate keeps the metadata on %s, and the audit log names the backend', async (backend) => {
    const [before] = (await list(backend)).filter((t) => t.name === 'openai');
    await cli(backend, ['token', 'rotate', 'openai', '--namespace', 'api-key', '--value', '-'], `${SECRET}-rotated`);
    const [after] = (await list(backend)).filter((t) => t.name === 'openai');
    expect(after).toMatchObject({ createdAt: before!.createdAt, provider: 'openai', details: { organization: 'org-7' } });
    expect(await cli(backend, ['token', 'get', 'openai', '--namespace', 'api-key', '--show-value'])).toBe(`${SECRET}-rotated\n`);
    const audit = JSON.parse(await cli(backend, ['token', 'audit', '--json', '--action', 'rotated'])) as { backend: string }[];
    expect(audit.map((r) => r.backend)).toContain(backend);
  });
});
