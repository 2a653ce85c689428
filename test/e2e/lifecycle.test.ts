// Export/import, rotate, check, basic credentials, client certificates and the audit log,
// through the CLI's command table (in-process) on the encrypted-file backend.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decrypter, Encrypter } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeScryptIdentity, NativeScryptRecipient } from '../../src/bundle/age-scrypt.js';
import { createSandbox, type Sandbox } from '../helpers/cli.js';
import { makeTestPki, type TestPki } from '../helpers/certs.js';
import { requireProgram } from '../helpers/programs.js';

const SECRET = 'SENTINEL-7d1e';
const EXPORT_PASS = 'export pass phrase';
let a: Sandbox;
let b: Sandbox;

beforeAll(async () => {
  a = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'passphrase-a', MCP_CLI_EXPORT_PASSPHRASE: EXPORT_PASS }, { inProcess: true });
  b = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'passphrase-b', MCP_CLI_EXPORT_PASSPHRASE: EXPORT_PASS }, { inProcess: true });
});
afterAll(async () => {
  await a.cleanup();
  await b.cleanup();
});

async function ok(sb: Sandbox, args: string[], input?: string) {
  const r = await sb.run(args, { input });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  expect(r.stderr).not.toContain('SENTINEL');
  if (!args.includes('--show-value')) expect(r.stdout).not.toContain('SENTINEL');
  return r;
}

const listJson = async (sb: Sandbox, extra: string[] = []) =>
  JSON.parse((await ok(sb, ['token', 'list', '--json', ...extra])).stdout) as Record<string, unknown>[];

/** Every file under a sandbox, as bytes, to look for a sentinel in plaintext. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).includes(needle)) hits.push(path);
  }
  return hits;
}

describe('basic credentials and API key details', () => {
  it('stores a username and password; the password is the value', async () => {
    await ok(a, ['token', 'set', 'corp', '--type', 'basic', '--username', 'alice', '--value', '-'], `${SECRET}-pw`);
    const [corp] = await listJson(a, ['--namespace', 'generic']);
    expect(corp).toMatchObject({ name: 'corp', type: 'basic', details: { username: 'alice' } });
    expect((await ok(a, ['token', 'get', 'corp', '--show-value'])).stdout).toBe(`${SECRET}-pw\n`);
    const missing = await a.run(['token', 'set', 'x', '--type', 'basic', '--value', 'p']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('needs --username');
  });

  it('keeps organization and project of an API key', async () => {
    await ok(a, [
      'token',
      'set',
      'openai',
      '--type',
      'api-key',
      '--provider',
      'openai',
      '--organization',
      'org-1',
      '--project',
      'proj-9',
      '--value',
      `${SECRET}-sk`,
      '--expires',
      '90d',
    ]);
    const [openai] = await listJson(a, ['--api-keys']);
    expect(openai).toMatchObject({ provider: 'openai', details: { organization: 'org-1', project: 'proj-9' } });
  });
});

describe('client certificates', () => {
  let pkiDir: string;
  let pki: TestPki;
  beforeAll(async () => {
    pkiDir = await mkdtemp(join(tmpdir(), 'mcp-cli-pki-'));
    pki = makeTestPki(pkiDir);
  });
  afterAll(() => rm(pkiDir, { recursive: true, force: true }));

  it('stores a certificate and key, with the expiry and subject taken from the certificate', async () => {
    await ok(a, ['token', 'set', 'mtls', '--type', 'client-cert', '--cert', pki.clientCert, '--key', pki.clientKey, '--ca', pki.caCert]);
    const [cert] = await listJson(a, ['--client-certs']);
    expect(cert).toMatchObject({
      name: 'mtls',
      namespace: 'generic',
      type: 'client-cert',
      details: { subject: 'mcp-cli test client', issuer: 'mcp-cli test CA' },
    });
    expect(Date.parse(cert!.expiresAt as string)).toBeGreaterThan(Date.now());
    const keyPem = await readFile(pki.clientKey, 'utf8');
    expect(await filesContaining(a.home, keyPem.split('\n')[1]!)).toEqual([]);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const r = await a.run(['token', 'set', 'bad', '--type', 'client-cert', '--cert', pki.clientCert, '--key', pki.otherKey]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not belong to the certificate');
  });

  it('refuses files that are not PEM', async () => {
    const r = await a.run(['token', 'set', 'bad', '--type', 'client-cert', '--cert', pki.clientKey, '--key', pki.clientKey]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not hold a PEM certificate');
  });
});

describe('rotate', () => {
  it('replaces the value in one step and keeps the metadata', async () => {
    const [before] = await listJson(a, ['--api-keys']);
    await ok(a, ['token', 'rotate', 'openai', '--value', '-'], `${SECRET}-rotated`);
    const [after] = await listJson(a, ['--api-keys']);
    expect(after).toMatchObject({
      createdAt: before!.createdAt,
      provider: 'openai',
      expiresAt: before!.expiresAt,
      details: { organization: 'org-1', project: 'proj-9' },
    });
    expect((after!.details as Record<string, string>).rotatedAt).toBe(after!.updatedAt);
    expect((await ok(a, ['token', 'get', 'openai', '--show-value'])).stdout).toBe(`${SECRET}-rotated\n`);
  });

  it('a missing token cannot be rotated', async () => {
    const r = await a.run(['token', 'rotate', 'nope', '--value', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("token 'nope' not found");
  });
});

/**
 * The same bundle, byte for byte the same plaintext under the same passphrase, with scrypt's work
 * factor at 2^14 instead of the 2^18 mcp-cli writes: each import of it then derives its key in a
 * fraction of the time. For the tests of what an import does with a bundle's contents.
 */
async function cheaperCopy(bundle: string, passphrase: string): Promise<string> {
  const decrypter = new Decrypter();
  decrypter.addIdentity(new NativeScryptIdentity(passphrase));
  const plaintext = await decrypter.decrypt(await readFile(bundle), 'uint8array');
  const encrypter = new Encrypter();
  encrypter.addRecipient(new NativeScryptRecipient(passphrase, 14));
  const copy = bundle.replace(/\.age$/, '-cheap.age');
  await writeFile(copy, await encrypter.encrypt(plaintext));
  return copy;
}

describe('export and import', () => {
  let exported: string;
  /** The exported bundle's cheaper copy, once the import of the exported one has been tested. */
  let bundle: string;
  beforeAll(() => {
    exported = join(a.home, 'tokens.age');
  });

  it('exports to an age file that holds no plaintext', async () => {
    expect((await ok(a, ['token', 'export', exported])).stderr).toContain('Exported 3 tokens');
    const bytes = await readFile(exported);
    expect(bytes.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
    expect(bytes.includes('SENTINEL')).toBe(false);
    expect(bytes.includes('openai')).toBe(false);
    const again = await a.run(['token', 'export', exported]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('Debian age opens the bundle with the same passphrase', async () => {
    const out = join(a.home, 'opened.json');
    const code = await new Promise<number | null>((resolve, reject) => {
      const [script, age] = [requireProgram('script'), requireProgram('age')];
      const child = spawn(script, ['-qefc', `'${age}' -d -o '${out}' '${exported}'`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.on('error', reject);
      let shown = '';
      child.stdout.on('data', (d: Buffer) => {
        shown += d.toString();
        if (shown.includes('passphrase')) {
          child.stdin.write(`${EXPORT_PASS}\r`);
          shown = '';
        }
      });
      child.on('close', resolve);
    });
    expect(code, 'age -d failed (apt-get install age)').toBe(0);
    const opened = JSON.parse(await readFile(out, 'utf8'));
    expect(opened.format).toBe('mcp-cli-export');
    expect(opened.tokens.map((t: { metadata: { name: string } }) => t.metadata.name).sort()).toEqual(['corp', 'mtls', 'openai']);
    await rm(out);
  });

  it('imports into another store with every field intact', async () => {
    await ok(b, ['token', 'import', exported]);
    expect(await listJson(b)).toEqual(await listJson(a));
    expect((await ok(b, ['token', 'get', 'openai', '--show-value'])).stdout).toBe(`${SECRET}-rotated\n`);
    bundle = await cheaperCopy(exported, EXPORT_PASS);
  });

  it('a bundle just exported from the same store is unchanged throughout, not a conflict: the dry run and the import succeed and write nothing', async () => {
    const before = await listJson(a);
    const dry = await ok(a, ['token', 'import', bundle, '--dry-run']);
    expect(
      dry.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('\t')[0]),
    ).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(dry.stderr).toContain('would import 0 new, 0 overwritten, 0 skipped, 3 unchanged (already here, identical); nothing was written');
    const real = await ok(a, ['token', 'import', bundle]);
    expect(real.stderr).toContain('0 new, 0 overwritten, 0 skipped, 3 unchanged');
    expect(await listJson(a)).toEqual(before);
    // Nothing was written, so nothing was recorded as imported.
    expect(JSON.parse((await ok(a, ['token', 'audit', '--json', '--action', 'imported'])).stdout)).toEqual([]);
  });

  it('a conflict imports nothing unless --overwrite or --skip-existing says what to do', async () => {
    await ok(b, ['token', 'rotate', 'corp', '--value', `${SECRET}-changed-in-b`]);
    await ok(b, ['token', 'set', 'only-in-b', '--type', 'bearer', '--value', `${SECRET}-b`]);
    const conflict = await b.run(['token', 'import', bundle]);
    expect(conflict.code).toBe(1);
    // Only corp differs: the two tokens identical to the bundle's are no conflict.
    expect(conflict.stderr).toContain('1 token already exists: generic:corp; nothing was imported');
    expect(conflict.stdout).toContain('unchanged\tapi-key\topenai\tapi-key');
    expect(conflict.stdout).toContain('conflict\tbasic\tcorp\tgeneric');
    expect((await ok(b, ['token', 'get', 'corp', '--show-value'])).stdout).toBe(`${SECRET}-changed-in-b\n`);

    const dry = await ok(b, ['token', 'import', bundle, '--overwrite', '--dry-run']);
    expect(dry.stdout).toContain('overwrite\tbasic\tcorp\tgeneric');
    expect(dry.stderr).toContain('nothing was written');
    expect((await ok(b, ['token', 'get', 'corp', '--show-value'])).stdout).toBe(`${SECRET}-changed-in-b\n`);

    await ok(b, ['token', 'import', bundle, '--skip-existing']);
    expect((await ok(b, ['token', 'get', 'corp', '--show-value'])).stdout).toBe(`${SECRET}-changed-in-b\n`);
    await ok(b, ['token', 'import', bundle, '--overwrite']);
    expect((await ok(b, ['token', 'get', 'corp', '--show-value'])).stdout).toBe(`${SECRET}-pw\n`);
    expect((await listJson(b)).map((t) => t.name)).toContain('only-in-b');
  });

  it('--namespace imports only that namespace', async () => {
    await ok(b, ['token', 'clear', '--force']);
    await ok(b, ['token', 'import', bundle, '--namespace', 'api-key']);
    expect((await listJson(b)).map((t) => t.name)).toEqual(['openai']);
  });

  it('a wrong passphrase or a damaged bundle imports nothing', async () => {
    await ok(b, ['token', 'clear', '--force']);
    const wrong = await b.run(['token', 'import', bundle], { env: { MCP_CLI_EXPORT_PASSPHRASE: 'not it' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('wrong passphrase');
    const damaged = join(b.home, 'damaged.age');
    const bytes = Buffer.from(await readFile(bundle));
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
    await writeFile(damaged, bytes);
    const broken = await b.run(['token', 'import', damaged]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('nothing was imported');
    await writeFile(damaged, 'not an age file');
    expect((await b.run(['token', 'import', damaged])).stderr).toContain('nothing was imported');
    expect(await listJson(b)).toEqual([]);
  });
});

describe('token check and expiry filters', () => {
  it('exits 4 when a token expires within the window, 0 otherwise', async () => {
    const sb = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'p' }, { inProcess: true });
    try {
      await ok(sb, ['token', 'set', 'long', '--type', 'bearer', '--value', 'x', '--expires', '90d']);
      expect((await ok(sb, ['token', 'check'])).stderr).toContain('All 1 tokens are valid for at least 7d');
      await ok(sb, ['token', 'set', 'soon', '--type', 'bearer', '--value', 'x', '--expires', '2d']);
      const due = await sb.run(['token', 'check']);
      expect(due.code).toBe(4);
      expect(due.stdout).toMatch(/^bearer\tsoon\tbearer\t/);
      expect(due.stderr).toContain('0 expired and 1 expiring within 7d, of 2 tokens');
      expect((await sb.run(['token', 'check', '--expiring-within', '1d'])).code).toBe(0);
      expect(JSON.parse((await sb.run(['token', 'check', '--expiring-within', '100d', '--json'])).stdout).due).toHaveLength(2);
      expect((await listJson(sb, ['--expiring-within', '7d'])).map((t) => t.name)).toEqual(['soon']);
    } finally {
      await sb.cleanup();
    }
  });
});

describe('audit log', () => {
  it('records every access with no value, and verifies its chain', async () => {
    const r = await ok(a, ['token', 'audit', '--json']);
    const records = JSON.parse(r.stdout) as { action: string; name?: string; detail?: Record<string, string> }[];
    const actions = new Set(records.map((x) => x.action));
    for (const action of ['created', 'read', 'rotated', 'exported']) expect(actions).toContain(action);
    expect(records.find((x) => x.action === 'read' && x.name === 'corp')?.detail).toEqual({ purpose: 'revealed' });
    const bImports = JSON.parse((await ok(b, ['token', 'audit', '--json', '--action', 'imported'])).stdout);
    expect(bImports.length).toBeGreaterThan(0);
    expect((await ok(a, ['token', 'audit', '--verify'])).stderr).toMatch(/audit log intact: \d+ entries/);
    expect((await ok(a, ['token', 'audit', '--name', 'openai'])).stdout).toMatch(/rotated\tapi-key\topenai\tencrypted/);
    for (const sb of [a, b]) expect(await filesContaining(join(sb.home, '.local', 'state'), 'SENTINEL')).toEqual([]);
  });

  it('token audit --verify exits 1 when a line was removed', async () => {
    const log = join(a.home, '.local', 'state', 'mcp-cli', 'audit.log');
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    await writeFile(log, [...lines.slice(0, 2), ...lines.slice(3)].join('\n') + '\n');
    const r = await a.run(['token', 'audit', '--verify']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 3: the chain is broken');
  });
});
