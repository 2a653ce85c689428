// The encrypted-file backend, in-process and (for concurrency, crashes and terminals) through the
// built binary: permissions, passphrases,
// damaged files, concurrency, crashes, and the terminal prompts.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, writeOwnConfig } from '../helpers/cli.js';
import { createQuickTokenFile } from '../helpers/seed-store.js';
import { runInTerminal } from '../helpers/tty.js';

const PASSPHRASE = 'correct horse battery staple';
const SECRET = 'SENTINEL-9f2c';
const LIB = new URL('../../dist/lib/index.js', import.meta.url).href;

let sb: Sandbox;
let tokenFile: string;
beforeEach(async () => {
  // The file's creation and its key derivation are this file's subject: no sandbox file made beforehand.
  sb = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: PASSPHRASE }, { inProcess: true, quickTokenFile: false });
  tokenFile = join(sb.env.XDG_DATA_HOME!, 'mcp-cli', 'tokens.enc');
});
afterEach(() => sb.cleanup());

/**
 * Stores bearer tokens through the CLI. The file is made first under a cheap key derivation unless
 * `made: 'by the CLI'` (tests of what the CLI creates): most tests here are about what follows.
 */
async function seed(names: string[], { made = 'beforehand' }: { made?: 'beforehand' | 'by the CLI' } = {}) {
  if (made === 'beforehand' && !existsSync(tokenFile)) await createQuickTokenFile(sb.env.XDG_DATA_HOME!, PASSPHRASE);
  for (const name of names) expect((await sb.run(['token', 'set', name, '--type', 'bearer', '--value', `${SECRET}-${name}`])).code).toBe(0);
}

async function listedNames(env: Record<string, string> = {}): Promise<string[]> {
  const r = await sb.run(['token', 'list', '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { name: string }[]).map((t) => t.name).sort();
}

describe('file and directory', () => {
  it('is mode 0600 in a 0700 directory, and holds no value or name in plaintext', async () => {
    await seed(['alpha'], { made: 'by the CLI' });
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(sb.env.XDG_DATA_HOME!, 'mcp-cli'))).mode & 0o777).toBe(0o700);
    const text = await readFile(tokenFile, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('alpha');
  });

  it('can live elsewhere through tokenStorage.encrypted.path', async () => {
    const custom = join(sb.home, 'vault-dir', 'my.enc');
    await writeOwnConfig(sb.home, JSON.stringify({ tokenStorage: { backend: 'encrypted', encrypted: { path: custom } } }));
    await seed(['elsewhere'], { made: 'by the CLI' });
    expect((await stat(custom)).isFile()).toBe(true);
    await expect(stat(tokenFile)).rejects.toThrow();
  });
});

describe('passphrase and damaged files: a clear error, the file untouched', () => {
  it('wrong passphrase', async () => {
    await seed(['alpha']);
    const before = await readFile(tokenFile);
    for (const args of [
      ['token', 'list'],
      ['token', 'set', 'beta', '--type', 'bearer', '--value', `${SECRET}-b`],
      ['token', 'clear', '--force'],
    ]) {
      const r = await sb.run(args, { env: { MCP_CLI_ENCRYPTION_KEY: 'wrong' } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('wrong passphrase for ~/.local/share/mcp-cli/tokens.enc');
      expect(r.stderr).toContain('MCP_CLI_ENCRYPTION_KEY');
      expect(r.stderr).not.toContain(SECRET);
    }
    expect((await readFile(tokenFile)).equals(before)).toBe(true);
    expect(await listedNames()).toEqual(['alpha']);
  });

  it('no passphrase and no terminal names the variable', async () => {
    await seed(['alpha']);
    const r = await sb.run(['token', 'list'], { env: { MCP_CLI_ENCRYPTION_KEY: undefined } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('set MCP_CLI_ENCRYPTION_KEY');
  });

  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2)), /corrupted or truncated \(not valid JSON\)/],
    ['a flipped ciphertext byte', (b: Buffer) => flipInField(b, 'payload'), /corrupted or truncated \(checksum mismatch\)/],
    ['an empty file', () => Buffer.alloc(0), /corrupted or truncated/],
    ["another program's file", () => Buffer.from('{"hello": "world"}'), /not an mcp-cli token file/],
  ])('%s', async (_label, damage, message) => {
    await seed(['alpha']);
    const damaged = damage(await readFile(tokenFile));
    await writeFile(tokenFile, damaged);
    for (const args of [
      ['token', 'list'],
      ['token', 'set', 'beta', '--type', 'bearer', '--value', `${SECRET}-b`],
    ]) {
      const r = await sb.run(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('left untouched');
    }
    expect((await readFile(tokenFile)).equals(damaged)).toBe(true);
  });

  it('a file from a newer format version', async () => {
    await seed(['alpha']);
    const newer = (await readFile(tokenFile, 'utf8')).replace('"version": 1', '"version": 2');
    await writeFile(tokenFile, newer);
    const r = await sb.run(['token', 'set', 'beta', '--type', 'bearer', '--value', `${SECRET}-b`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('uses format version 2, written by a newer mcp-cli');
    expect(r.stderr).toContain('upgrade mcp-cli');
    expect(await readFile(tokenFile, 'utf8')).toBe(newer);
  });
});

function flipInField(file: Buffer, field: 'payload' | 'key'): Buffer {
  const json = JSON.parse(file.toString('utf8'));
  const bytes = Buffer.from(json[field].ciphertext, 'base64');
  bytes[0] = bytes[0]! ^ 0xff;
  json[field].ciphertext = bytes.toString('base64');
  return Buffer.from(JSON.stringify(json, null, 2));
}

describe('invalid input', () => {
  it.each([
    [['token', 'set', 'a/b', '--type', 'bearer', '--value', 'x'], 'invalid token name "a/b": \'/\' is not allowed'],
    [['token', 'set', 'ok', '--type', 'bearer', '--namespace', '../up', '--value', 'x'], 'invalid namespace'],
    [['token', 'set', 'ok', '--type', 'password', '--value', 'x'], 'unknown token type "password"'],
    [['token', 'set', 'ok', '--type', 'bearer', '--expires', 'someday', '--value', 'x'], 'invalid --expires "someday"'],
    [['token', 'get', 'a:b'], "':' is not allowed"],
    [['token', 'list', '--expiring-within', 'soon'], 'invalid --expiring-within'],
    [['token', 'get', 'x', '--oauth', '--namespace', 'bearer'], '--oauth means namespace'],
  ])('%j fails with a clear message and writes nothing', async (args, message) => {
    const r = await sb.run(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    await expect(stat(tokenFile)).rejects.toThrow();
  });

  it('an unknown command or option exits 1 with usage help', async () => {
    const r = await sb.run(['token', 'frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('concurrency and crashes', () => {
  it('20 processes setting 20 different tokens at once leave 20 tokens', async () => {
    await seed(['first']);
    const names = Array.from({ length: 20 }, (_, i) => `parallel-${i}`);
    const results = await Promise.all(
      names.map((n) => sb.spawn(['token', 'set', n, '--type', 'bearer', '--value', '-'], { input: `${SECRET}-${n}`, timeoutMs: 120_000 })),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(await listedNames()).toEqual(['first', ...names].sort());
  }, 180_000);

  // Each of them derives a key at the CLI's cost (a large part of a second of CPU) and derives again
  // when another process created the file first: ten keep two cores racing without taking a minute.
  it('10 processes creating the file at once agree on one file holding all 10', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `fresh-${i}`);
    const results = await Promise.all(
      names.map((n) => sb.spawn(['token', 'set', n, '--type', 'bearer', '--value', '-'], { input: `${SECRET}-${n}`, timeoutMs: 120_000 })),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(await listedNames()).toEqual([...names].sort());
  }, 180_000);

  it('a writer killed with SIGKILL mid-write, again and again, never costs an acknowledged token', async () => {
    await createQuickTokenFile(sb.env.XDG_DATA_HOME!, PASSPHRASE);
    const acknowledged = new Set<string>();
    // A writer that stores tokens as fast as it can, printing each name once its write returned.
    const writer = `
      const { EncryptedFileStore } = await import(${JSON.stringify(LIB)});
      const store = new EncryptedFileStore(process.env.TOKEN_FILE, { get: async () => process.env.MCP_CLI_ENCRYPTION_KEY });
      const pad = 'x'.repeat(20000);
      for (let i = 0; ; i++) {
        const name = process.env.ROUND + '-' + i;
        const now = new Date().toISOString();
        await store.put({ metadata: { name, namespace: 'crash', type: 'generic', createdAt: now, updatedAt: now, details: {} }, secret: { value: pad } });
        process.stdout.write(name + '\\n');
      }`;
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', writer], {
        env: { ...sb.env, TOKEN_FILE: tokenFile, ROUND: `r${round}` } as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let buffered = '';
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) acknowledged.add(line);
      });
      const exited = new Promise((resolve) => child.on('close', resolve));
      // Let it get well into writing, then kill it at an arbitrary point.
      await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 700));
      child.kill('SIGKILL');
      await exited;
      const stored = new Set(await listedNamesIn('crash'));
      for (const name of acknowledged) expect(stored.has(name), `acknowledged ${name} lost after round ${round}`).toBe(true);
    }
    expect(acknowledged.size).toBeGreaterThan(12);
  }, 120_000);

  async function listedNamesIn(namespace: string): Promise<string[]> {
    const r = await sb.run(['token', 'list', '--namespace', namespace, '--json']);
    expect(r.code, `the file must open after a crash: ${r.stderr}`).toBe(0);
    return (JSON.parse(r.stdout) as { name: string }[]).map((t) => t.name);
  }
});

describe('on a terminal', () => {
  it('prompts for the value without echoing it, and for a new passphrase twice', async () => {
    const env = { ...sb.env, MCP_CLI_ENCRYPTION_KEY: undefined };
    const r = await runInTerminal(
      ['token', 'set', 'my-server', '--type', 'bearer'],
      [
        { after: "Enter token value for 'my-server': ", type: `${SECRET}-typed\r` },
        { after: 'New passphrase for ~/.local/share/mcp-cli/tokens.enc: ', type: 'typed-pass\r' },
        { after: 'Repeat the passphrase: ', type: 'typed-pass\r' },
      ],
      { env, cwd: sb.home },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stdout).not.toContain('typed-pass');
    expect(r.stdout).toContain("Stored bearer token 'my-server'");
    const read = await sb.run(['token', 'get', 'my-server', '--show-value'], { env: { MCP_CLI_ENCRYPTION_KEY: 'typed-pass' } });
    expect(read.stdout).toBe(`${SECRET}-typed\n`);
  });

  it('takes the value and both passphrase lines typed at once, as a password manager types them', async () => {
    const r = await runInTerminal(
      ['token', 'set', 'ahead', '--type', 'bearer'],
      [{ after: "Enter token value for 'ahead': ", type: `${SECRET}-ahead\rtyped-ahead-passphrase\rtyped-ahead-passphrase\r` }],
      { env: { ...sb.env, MCP_CLI_ENCRYPTION_KEY: undefined }, cwd: sb.home },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toContain('differ');
    const read = await sb.run(['token', 'get', 'ahead', '--show-value'], { env: { MCP_CLI_ENCRYPTION_KEY: 'typed-ahead-passphrase' } });
    expect(read.stdout).toBe(`${SECRET}-ahead\n`);
  });

  it('asks again when the two new passphrases differ, and after three mismatches writes nothing', async () => {
    const r = await runInTerminal(
      ['token', 'set', 'x', '--type', 'bearer', '--value', `${SECRET}`],
      [
        { after: 'New passphrase', type: 'one\r' },
        { after: 'Repeat the passphrase: ', type: 'two\r' },
        { after: 'The two passphrases differ; try again.', type: 'three\r' },
        { after: 'Repeat the passphrase: ', type: 'four\r' },
        { after: 'The two passphrases differ; try again.', type: 'five\r' },
        { after: 'Repeat the passphrase: ', type: 'six\r' },
      ],
      { env: { ...sb.env, MCP_CLI_ENCRYPTION_KEY: undefined }, cwd: sb.home },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the two passphrases differ; nothing was written');
    await expect(stat(tokenFile)).rejects.toThrow();
  });

  it('token clear asks; "n" cancels with exit 2 and deletes nothing, "y" deletes', async () => {
    await seed(['a', 'b']);
    const no = await runInTerminal(['token', 'clear'], [{ after: 'Delete these 2 tokens (encrypted backend)? [y/N] ', type: 'n\r' }], {
      env: sb.env,
      cwd: sb.home,
    });
    expect(no.code).toBe(2);
    // What would go is listed before the question.
    expect(no.stdout).toMatch(/TYPE\s+NAME\s+NAMESPACE\r?\nbearer\s+a\s+bearer\r?\nbearer\s+b\s+bearer\r?\nDelete these 2 tokens/);
    expect(no.stdout).toContain('cancelled; nothing was deleted');
    expect(await listedNames()).toEqual(['a', 'b']);
    const yes = await runInTerminal(['token', 'clear', '--namespace', 'bearer'], [{ after: '[y/N] ', type: 'y\r' }], { env: sb.env, cwd: sb.home });
    expect(yes.code).toBe(0);
    expect(await listedNames()).toEqual([]);
  });

  it('shows a table with headers on a terminal', async () => {
    await seed(['alpha']);
    const r = await runInTerminal(['token', 'list'], [], { env: sb.env, cwd: sb.home });
    expect(r.stdout).toMatch(/^TYPE\s+NAME\s+NAMESPACE\s+CREATED\s+EXPIRES\s+DETAILS\n/);
    expect(r.stdout).toMatch(/bearer\s+alpha\s+bearer\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\s+never/);
  });
});

describe('token passphrase', () => {
  it('changes the passphrase without losing tokens; the old one stops working', async () => {
    await seed(['alpha', 'beta']);
    const r = await sb.run(['token', 'passphrase'], { env: { MCP_CLI_NEW_ENCRYPTION_KEY: 'new secret words' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Changed the passphrase of ~/.local/share/mcp-cli/tokens.enc');
    expect((await sb.run(['token', 'list'])).stderr).toContain('wrong passphrase');
    expect(await listedNames({ MCP_CLI_ENCRYPTION_KEY: 'new secret words' })).toEqual(['alpha', 'beta']);
  });

  it('refuses with a wrong current passphrase and changes nothing', async () => {
    await seed(['alpha']);
    const before = await readFile(tokenFile);
    const r = await sb.run(['token', 'passphrase'], { env: { MCP_CLI_ENCRYPTION_KEY: 'nope', MCP_CLI_NEW_ENCRYPTION_KEY: 'x' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('wrong passphrase');
    expect((await readFile(tokenFile)).equals(before)).toBe(true);
  });
});
