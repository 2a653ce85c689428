// `auto` is one decision: a real gnome-keyring that is locked is the backend auto chose, an
// error until it is unlocked, never a reason to use the encrypted file. Tokens left in another
// backend are named, and `token migrate` moves them.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/cli.js';
import { startPrivateKeyring, type PrivateKeyring } from '../helpers/keyring.js';
import { createQuickTokenFile } from '../helpers/seed-store.js';

const SECRET = 'SENTINEL-locked-3b9e';
const FALLBACK_PASSPHRASE = 'would-work-if-it-fell-back';
const KEYRING_TOKENS = [
  ['openai', 'api-key', 'api-key'],
  ['github', 'bearer', 'bearer'],
  ['notes', 'generic', 'generic'],
] as const;

let keyring: PrivateKeyring;
let sb: Sandbox;
let tokenFile: string;

beforeAll(async () => {
  keyring = await startPrivateKeyring();
  // With a passphrase at hand, a fallback to the encrypted file would succeed: it must not happen.
  // No tokens.enc beforehand: the test shows that none is written.
  sb = await createSandbox({ ...keyring.env, MCP_CLI_ENCRYPTION_KEY: FALLBACK_PASSPHRASE }, { quickTokenFile: false });
  tokenFile = join(sb.env.XDG_DATA_HOME!, 'mcp-cli', 'tokens.enc');
  for (const [name, type] of KEYRING_TOKENS) {
    const r = await sb.run(['token', 'set', name, '--type', type, '--value', `${SECRET}-${name}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('secret-service backend');
  }
});
afterAll(async () => {
  await sb?.cleanup();
  await keyring?.stop();
});

const names = async (args: string[] = []) => {
  const r = await sb.run([...args, 'token', 'list', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { name: string }[]).map((t) => t.name).sort();
};

describe('a locked keyring under auto', () => {
  it('is reported as locked with how to unlock it, exit 1, and nothing is written to tokens.enc; unlocked, every token is there', async () => {
    await keyring.lock();
    try {
      for (const args of [
        ['token', 'list'],
        ['token', 'get', 'openai', '--show-value'],
        ['token', 'set', 'written-while-locked', '--value', `${SECRET}-new`],
        ['token', 'delete', 'github'],
      ]) {
        const r = await sb.run(args);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toContain("the OS keychain (secret-service) is locked: the default keyring 'Login' is locked");
        expect(r.stderr).toContain('nothing was read from or written to another backend');
        expect(r.stderr).toContain('hint: unlock it');
        expect(r.stderr).not.toContain('No tokens found');
        expect(r.stdout + r.stderr).not.toContain(SECRET);
      }
      const table = await sb.run(['token', 'backends']);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stderr).toContain("! No active backend: the OS keychain (secret-service) is locked: the default keyring 'Login' is locked");
      expect(table.stderr).toMatch(/hint: unlock it.*; available here instead: encrypted; choose one explicitly, e.g. --token-backend encrypted/);
      const backends = await sb.run(['token', 'backends', '--json']);
      const json = JSON.parse(backends.stdout) as { active: unknown; error: string; backends: { name: string; detail: string }[] };
      expect(json.active).toBeNull();
      expect(json.error).toContain('is locked');
      expect(existsSync(tokenFile)).toBe(false);
    } finally {
      await keyring.unlock();
    }
    expect(await names()).toEqual(['github', 'notes', 'openai']);
    for (const [name] of KEYRING_TOKENS) expect((await sb.run(['token', 'get', name, '--show-value'])).stdout).toBe(`${SECRET}-${name}\n`);
  });
});

describe('tokens in another backend', () => {
  it('are mentioned by token list and token backends, and token migrate moves them', async () => {
    // Made with a cheap key derivation: the file's creation is not the subject here.
    await createQuickTokenFile(sb.env.XDG_DATA_HOME!, FALLBACK_PASSPHRASE);
    const enc = ['--token-backend', 'encrypted'];
    for (const [name, value] of [
      ['enc-only', 'a'],
      ['enc-two', 'b'],
      ['openai', 'from-the-file'],
    ] as const)
      expect(
        (
          await sb.run([
            ...enc,
            'token',
            'set',
            name,
            '--type',
            'generic',
            '--namespace',
            name === 'openai' ? 'api-key' : 'generic',
            '--value',
            `${SECRET}-${value}`,
          ])
        ).code,
      ).toBe(0);
    const before = JSON.parse((await sb.run([...enc, 'token', 'get', 'enc-only', '--json'])).stdout) as { createdAt: string; updatedAt: string };

    for (const args of [
      ['token', 'list'],
      ['token', 'backends'],
    ]) {
      const r = await sb.run(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(
        "Note: ~/.local/share/mcp-cli/tokens.enc also exists and may hold tokens (backend 'encrypted'); the active backend is 'secret-service'",
      );
      expect(r.stderr).toContain('mcp-cli token migrate --from encrypted');
    }
    // From the file's side, token backends counts what the keychain holds.
    expect((await sb.run([...enc, 'token', 'backends'])).stderr).toContain("3 tokens are stored in secret-service (backend 'secret-service')");

    const fileBefore = await readFile(tokenFile);
    const dry = await sb.run(['token', 'migrate', '--from', 'encrypted', '--dry-run', '--skip-existing']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^move\tgeneric\tenc-only\tgeneric$/m);
    expect(dry.stdout).toMatch(/^skip\tgeneric\topenai\tapi-key$/m);
    expect(dry.stderr).toContain('Dry run: would move 2 tokens, 1 skipped and left in the source');

    const conflict = await sb.run(['token', 'migrate', '--from', 'encrypted']);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('1 token already exists in secret-service with other values: api-key:openai; nothing was moved');
    expect((await readFile(tokenFile)).equals(fileBefore)).toBe(true);
    expect(await names()).toEqual(['github', 'notes', 'openai']);

    const skip = await sb.run(['token', 'migrate', '--from', 'encrypted', '--skip-existing']);
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stderr).toContain('Moved 2 tokens, 1 skipped and left in the source from encrypted');
    expect(await names()).toEqual(['enc-only', 'enc-two', 'github', 'notes', 'openai']);
    expect(await names(enc)).toEqual(['openai']);
    expect((await sb.run(['token', 'get', 'enc-only', '--show-value'])).stdout).toBe(`${SECRET}-a\n`);
    const after = JSON.parse((await sb.run(['token', 'get', 'enc-only', '--json'])).stdout) as { createdAt: string; updatedAt: string; backend: string };
    expect(after).toMatchObject({ createdAt: before.createdAt, updatedAt: before.updatedAt, backend: 'secret-service' });
    expect((await sb.run(['token', 'get', 'openai', '--show-value'])).stdout).toBe(`${SECRET}-openai\n`);

    const overwrite = await sb.run(['token', 'migrate', '--from', 'encrypted', '--overwrite']);
    expect(overwrite.code, overwrite.stderr).toBe(0);
    expect(overwrite.stderr).toContain('Moved 1 token, 1 of them overwriting');
    expect(overwrite.stderr).toContain('Removed ~/.local/share/mcp-cli/tokens.enc: it holds no tokens any more.');
    expect(existsSync(tokenFile)).toBe(false);
    expect((await sb.run(['token', 'get', 'openai', '--show-value'])).stdout).toBe(`${SECRET}-from-the-file\n`);
    const list = await sb.run(['token', 'list']);
    expect(list.stderr).not.toContain('Note:');

    const migrated = JSON.parse((await sb.run(['token', 'audit', '--json', '--action', 'migrated'])).stdout) as { name: string; detail: { from: string } }[];
    expect(migrated.map((e) => e.name).sort()).toEqual(['enc-only', 'enc-two', 'openai']);
    expect(migrated.every((e) => e.detail.from === 'encrypted')).toBe(true);
    for (const r of [dry, conflict, skip, overwrite]) expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(await readFile(join(sb.env.XDG_STATE_HOME!, 'mcp-cli', 'audit.log'), 'utf8')).not.toContain(SECRET);
  });

  it('refuses a source that is the destination, and contradicting options', async () => {
    const same = await sb.run(['token', 'migrate', '--from', 'secret-service']);
    expect(same.code).toBe(1);
    expect(same.stderr).toContain("'secret-service' is the destination");
    const both = await sb.run(['token', 'migrate', '--from', 'encrypted', '--overwrite', '--skip-existing']);
    expect(both.stderr).toContain('--overwrite and --skip-existing contradict each other');
    const bad = await sb.run(['token', 'migrate', '--from', 'floppy']);
    expect(bad.stderr).toContain('unknown token backend "floppy"');
  });
});
