// Every `mcp-cli token` example of the seed document, run through the CLI's command table in this
// process (test/helpers/in-process.ts) on the encrypted-file backend in a throw-away HOME.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createSandbox, type Sandbox, writeOwnConfig } from '../helpers/cli.js';
import { oauthToken, sandboxStore } from '../helpers/seed-store.js';

const PASSPHRASE = 'correct horse battery staple';
const SECRET = 'SENTINEL-abc123-do-not-print';

let sb: Sandbox;
beforeAll(async () => {
  sb = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: PASSPHRASE }, { inProcess: true });
});
afterAll(() => sb.cleanup());

/** Asserts success and that no sentinel value leaked into the output. */
async function ok(args: string[], input?: string) {
  const result = await sb.run(args, { input });
  expect(result.stderr, `stderr of ${args.join(' ')}`).not.toMatch(/SENTINEL/);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  if (!args.includes('--show-value')) expect(result.stdout).not.toMatch(/SENTINEL/);
  return result;
}

const rows = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));

describe('seed: store, list, get, delete, clear', () => {
  it('token list on an empty store says so and exits 0', async () => {
    const r = await ok(['token', 'list']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('No tokens found');
  });

  it('token set with --value stores bearer tokens, API keys and custom namespaces', async () => {
    expect((await ok(['token', 'set', 'my-server', '--type', 'bearer', '--value', `${SECRET}-server`])).stderr).toContain(
      "Stored bearer token 'my-server' in namespace 'bearer' (encrypted backend)",
    );
    expect((await ok(['token', 'set', 'openai', '--type', 'api-key', '--provider', 'openai', '--value', `${SECRET}-sk`])).stderr).toContain(
      "namespace 'api-key'",
    );
    expect((await ok(['token', 'set', 'my-token', '--type', 'bearer', '--namespace', 'custom', '--value', `${SECRET}-t123`])).stderr).toContain(
      "namespace 'custom'",
    );
    await ok(['token', 'set', 'my-api', '--type', 'bearer', '--value', `${SECRET}-api`]);
    await ok(['token', 'set', 'anthropic', '--type', 'api-key', '--provider', 'anthropic', '--value', `${SECRET}-ant`]);
    await sandboxStore(sb.env.XDG_DATA_HOME!, PASSPHRASE).put(oauthToken('notion', `${SECRET}-oauth`, new Date(Date.now() - 60_000)));
  });

  it('token list shows metadata only, tab-separated when piped', async () => {
    const r = await ok(['token', 'list']);
    expect(rows(r.stdout).map((c) => `${c[0]} ${c[1]} ${c[2]}`)).toEqual([
      'api-key anthropic api-key',
      'api-key openai api-key',
      'bearer my-api bearer',
      'bearer my-server bearer',
      'bearer my-token custom',
      'oauth notion oauth',
    ]);
    const openai = rows(r.stdout).find((c) => c[1] === 'openai')!;
    expect(openai[3]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(openai[4]).toBe('');
    expect(openai[6]).toBe('provider=openai');
    // Piped: one value per column, the ISO expiry and its status apart.
    const notion = rows(r.stdout).find((c) => c[1] === 'notion')!;
    expect(notion[4]).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
    expect(notion[5]).toBe('expired');
  });

  it('token list --namespace filters by namespace', async () => {
    expect(rows((await ok(['token', 'list', '--namespace', 'custom'])).stdout).map((c) => c[1])).toEqual(['my-token']);
    const none = await ok(['token', 'list', '--namespace', 'provider-keys']);
    expect(none.stdout).toBe('');
  });

  it('token list type switches: --no-oauth --api-keys and --bearer --no-api-keys', async () => {
    expect(rows((await ok(['token', 'list', '--no-oauth', '--api-keys'])).stdout).map((c) => c[1])).toEqual(['anthropic', 'openai']);
    expect(rows((await ok(['token', 'list', '--bearer', '--no-api-keys'])).stdout).map((c) => c[1])).toEqual(['my-api', 'my-server', 'my-token']);
    expect(rows((await ok(['token', 'list', '--no-oauth'])).stdout).map((c) => c[1])).not.toContain('notion');
    expect(rows((await ok(['token', 'list', '--api-keys'])).stdout).map((c) => c[1])).toEqual(['anthropic', 'openai']);
    expect(rows((await ok(['token', 'list', '--expired'])).stdout).map((c) => c[1])).toEqual(['notion']);
  });

  it('token list --json has the documented shape', async () => {
    const list = JSON.parse((await ok(['token', 'list', '--json'])).stdout) as Record<string, unknown>[];
    expect(list).toHaveLength(6);
    const openai = list.find((t) => t.name === 'openai')!;
    expect(Object.keys(openai).sort()).toEqual(['createdAt', 'details', 'expired', 'expiresAt', 'name', 'namespace', 'provider', 'type', 'updatedAt']);
    expect(openai).toMatchObject({ namespace: 'api-key', type: 'api-key', provider: 'openai', expiresAt: null, expired: false });
    expect(list.find((t) => t.name === 'notion')).toMatchObject({ type: 'oauth', expired: true });
  });

  it('token get shows metadata, never the value', async () => {
    const r = await ok(['token', 'get', 'my-server']);
    expect(r.stdout).toContain('Name:      my-server');
    expect(r.stdout).toContain('Namespace: bearer');
    expect(r.stdout).toContain('hidden (use --show-value to print it)');
    const ns = await ok(['token', 'get', 'openai', '--namespace', 'api-key']);
    expect(ns.stdout).toContain('Provider:  openai');
    const json = JSON.parse((await ok(['token', 'get', 'openai', '--namespace', 'api-key', '--json'])).stdout);
    expect(json).toMatchObject({ name: 'openai', namespace: 'api-key', backend: 'encrypted' });
  });

  it('token get --show-value prints only the value, for $(...) in scripts', async () => {
    const r = await sb.run(['token', 'get', 'openai', '--namespace', 'api-key', '--show-value']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${SECRET}-sk\n`);
    expect(r.stderr).toBe('');
    const { stdout } = await promisify(execFile)(
      'bash',
      ['-c', `export OPENAI_API_KEY=$(node ${CLI} token get openai --namespace api-key --show-value); printf '%s' "$OPENAI_API_KEY" | sha256sum`],
      { env: sb.env as NodeJS.ProcessEnv, cwd: sb.home },
    );
    const { createHash } = await import('node:crypto');
    expect(stdout.split(' ')[0]).toBe(createHash('sha256').update(`${SECRET}-sk`).digest('hex'));
  });

  it('--show-value of an expired token still prints it, with a warning on stderr only', async () => {
    const r = await sb.run(['token', 'get', 'notion', '--oauth', '--show-value']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${SECRET}-oauth\n`);
    expect(r.stderr).toMatch(/^! token 'notion' in namespace 'oauth' expired at \d{4}-/);
  });

  it('token get NAME --oauth shows an OAuth token with its expiry', async () => {
    const r = await ok(['token', 'get', 'notion', '--oauth']);
    expect(r.stdout).toContain('Type:      oauth');
    expect(r.stdout).toMatch(/Expires: +\d{4}-\d{2}-\d{2}T[\d:.]+Z \(expired\)\n/);
    expect(r.stdout).toContain('tokenType=Bearer');
  });

  it('a missing token exits 1 and says where it looked', async () => {
    const r = await sb.run(['token', 'get', 'my-token', '--namespace', 'bearer']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("token 'my-token' not found in namespace 'bearer'");
    const generic = await sb.run(['token', 'get', 'my-token', '--namespace', 'generic']);
    expect(generic.code).toBe(1);
    const anywhere = await sb.run(['token', 'get', 'nothing-here']);
    expect(anywhere.code).toBe(1);
    expect(anywhere.stderr).toContain("not found in namespaces 'api-key', 'bearer', 'custom', 'oauth'");
    expect(anywhere.stderr).toContain('mcp-cli token list');
  });

  it('a name in several namespaces is an error listing them, not a silent pick', async () => {
    await ok(['token', 'set', 'shared', '--type', 'bearer', '--value', `${SECRET}-1`]);
    await ok(['token', 'set', 'shared', '--type', 'bearer', '--namespace', 'team', '--value', `${SECRET}-2`]);
    const r = await sb.run(['token', 'get', 'shared', '--show-value']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("token 'shared' exists in several namespaces: bearer, team");
    expect((await sb.run(['token', 'delete', 'shared'])).code).toBe(1);
    await ok(['token', 'delete', 'shared', '--namespace', 'team']);
    expect((await ok(['token', 'get', 'shared', '--show-value'])).stdout).toBe(`${SECRET}-1\n`);
  });

  it('token delete by name, by namespace, and --oauth', async () => {
    expect((await ok(['token', 'delete', 'my-server'])).stderr).toContain("Deleted bearer token 'my-server' from namespace 'bearer'");
    await ok(['token', 'delete', 'openai', '--namespace', 'api-key']);
    await ok(['token', 'delete', 'notion', '--oauth']);
    const gone = await sb.run(['token', 'delete', 'notion', '--oauth']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("not found in namespace 'oauth'");
    expect(rows((await ok(['token', 'list'])).stdout).map((c) => c[1])).toEqual(['anthropic', 'my-api', 'shared', 'my-token']);
  });

  it('token clear without a terminal refuses unless --force, and deletes nothing', async () => {
    const r = await sb.run(['token', 'clear', '--namespace', 'bearer']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--force is required');
    expect(rows((await ok(['token', 'list', '--namespace', 'bearer'])).stdout)).toHaveLength(2);
    const all = await sb.run(['token', 'clear']);
    expect(all.code).toBe(1);
    expect(rows((await ok(['token', 'list'])).stdout)).toHaveLength(4);
  });

  it('token clear --namespace ... --force clears one namespace; token clear --force clears all', async () => {
    await ok(['token', 'set', 't1', '--type', 'bearer', '--namespace', 'test', '--value', `${SECRET}-x`]);
    expect(rows((await ok(['token', 'list', '--namespace', 'test'])).stdout).map((c) => c[1])).toEqual(['t1']);
    expect((await ok(['token', 'clear', '--namespace', 'test', '--force'])).stderr).toContain("Deleted 1 token in namespace 'test'");
    expect((await ok(['token', 'clear', '--namespace', 'bearer', '--force'])).stderr).toContain('Deleted 2 tokens');
    expect(rows((await ok(['token', 'list'])).stdout).map((c) => c[1])).toEqual(['anthropic', 'my-token']);
    await ok(['token', 'clear', '--force']);
    expect((await ok(['token', 'list'])).stdout).toBe('');
  });
});

describe('seed: reading values without exposing them', () => {
  it('--value - and piped stdin read the value; an empty pipe is an error', async () => {
    await ok(['token', 'set', 'piped', '--type', 'bearer', '--value', '-'], `${SECRET}-piped\n`);
    expect((await ok(['token', 'get', 'piped', '--show-value'])).stdout).toBe(`${SECRET}-piped\n`);
    await ok(['token', 'set', 'my-service', '--type', 'bearer'], `${SECRET}-stdin`);
    expect((await ok(['token', 'get', 'my-service', '--show-value'])).stdout).toBe(`${SECRET}-stdin\n`);
    const empty = await sb.run(['token', 'set', 'nothing', '--type', 'bearer']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no value given: standard input was empty');
  });

  it('migrating API keys from environment variables', async () => {
    const env = { OPENAI_API_KEY: `${SECRET}-env-openai`, ANTHROPIC_API_KEY: `${SECRET}-env-ant` };
    for (const [name, variable] of [
      ['openai', 'OPENAI_API_KEY'],
      ['anthropic', 'ANTHROPIC_API_KEY'],
    ]) {
      const { stderr, code } = await new Promise<{ stderr: string; code: number }>((resolve) =>
        execFile(
          'bash',
          ['-c', `node ${CLI} token set ${name} --type api-key --provider ${name} --value "$${variable}"`],
          { env: { ...sb.env, ...env } as NodeJS.ProcessEnv, cwd: sb.home },
          (error, _out, err) => resolve({ stderr: err, code: error ? 1 : 0 }),
        ),
      );
      expect(code, stderr).toBe(0);
    }
    expect(rows((await ok(['token', 'list', '--api-keys'])).stdout).map((c) => `${c[1]} ${c[6]}`)).toEqual([
      'anthropic provider=anthropic',
      'openai provider=openai',
    ]);
  });

  it('the token file holds no value in plaintext', async () => {
    const file = await readFile(join(sb.env.XDG_DATA_HOME!, 'mcp-cli', 'tokens.enc'));
    expect(file.toString('latin1')).not.toContain('SENTINEL');
    expect(file.toString('latin1')).not.toContain('openai');
  });
});

describe('seed: backends', () => {
  it('token backends lists every backend and the active one', async () => {
    const r = await ok(['token', 'backends']);
    expect(rows(r.stdout).map((c) => c[0])).toEqual(['vault', 'keychain', 'credential-manager', 'secret-service', 'encrypted']);
    expect(rows(r.stdout).find((c) => c[0] === 'encrypted')).toEqual(['encrypted', 'available', 'active', expect.stringContaining('tokens.enc')]);
    expect(r.stderr).toMatch(/Active backend: encrypted \(auto/);
    const json = JSON.parse((await ok(['token', 'backends', '--json'])).stdout);
    expect(json.active).toMatchObject({ name: 'encrypted', source: 'auto' });
    expect(json.backends).toHaveLength(5);
  });

  it('tokenStorage.backend in server_config.json forces a backend', async () => {
    await writeOwnConfig(sb.home, JSON.stringify({ tokenStorage: { backend: 'encrypted' } }));
    try {
      const json = JSON.parse((await ok(['token', 'backends', '--json'])).stdout);
      expect(json.active).toEqual({ name: 'encrypted', source: 'tokenStorage.backend', reason: 'chosen by tokenStorage.backend' });
    } finally {
      await writeOwnConfig(sb.home, '{}');
    }
  });

  it('precedence: --token-backend > MCP_CLI_TOKEN_BACKEND > config', async () => {
    await writeOwnConfig(sb.home, JSON.stringify({ tokenStorage: { backend: 'no-such' } }));
    try {
      const bad = await sb.run(['token', 'list']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('unknown token backend "no-such" (from tokenStorage.backend in');
      const env = JSON.parse((await sb.run(['token', 'backends', '--json'], { env: { MCP_CLI_TOKEN_BACKEND: 'encrypted' } })).stdout);
      expect(env.active.source).toBe('MCP_CLI_TOKEN_BACKEND');
      const flag = JSON.parse(
        (await sb.run(['--token-backend', 'encrypted', 'token', 'backends', '--json'], { env: { MCP_CLI_TOKEN_BACKEND: 'vault' } })).stdout,
      );
      expect(flag.active.source).toBe('--token-backend');
    } finally {
      await writeOwnConfig(sb.home, '{}');
    }
  });
});
