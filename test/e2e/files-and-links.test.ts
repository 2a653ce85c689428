// Directories mcp-cli does not own keep their mode; a symlinked tokens.enc is followed, and a
// link to nothing is an error; failed file operations are sentences naming the path.
import { chmod, lstat, mkdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, ownConfigPath, writeOwnConfig } from '../helpers/cli.js';
import { createQuickTokenFile, writeQuickTokenFile } from '../helpers/seed-store.js';

const PASSPHRASE = 'links and folders';
const SECRET = 'SENTINEL-links-5e1d';

let sb: Sandbox;
let dataDir: string;
let tokenFile: string;
beforeEach(async () => {
  // Tests that are about the folders mcp-cli creates let the CLI make the token file; the others start with one.
  sb = await createSandbox(
    { MCP_CLI_ENCRYPTION_KEY: PASSPHRASE, MCP_CLI_EXPORT_PASSPHRASE: 'export words', MCP_CLI_TOKEN_BACKEND: 'encrypted' },
    { inProcess: true, quickTokenFile: false },
  );
  dataDir = join(sb.env.XDG_DATA_HOME!, 'mcp-cli');
  tokenFile = join(dataDir, 'tokens.enc');
});
afterEach(() => sb.cleanup());

async function ok(args: string[]) {
  const r = await sb.run(args);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

const names = async () => (JSON.parse((await ok(['token', 'list', '--json'])).stdout) as { name: string }[]).map((t) => t.name).sort();

describe("directories that are not mcp-cli's own", () => {
  it('an export into a world-writable sticky folder leaves the folder as it was; the file is 0600', async () => {
    await createQuickTokenFile(sb.env.XDG_DATA_HOME!, PASSPHRASE);
    await ok(['token', 'set', 'alpha', '--value', SECRET]);
    const shared = join(sb.home, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o1777);
    await ok(['token', 'export', join(shared, 'backup.age')]);
    expect((await stat(shared)).mode & 0o7777).toBe(0o1777);
    expect((await stat(join(shared, 'backup.age'))).mode & 0o777).toBe(0o600);
  });

  it('a token file configured into an existing 0755 folder leaves that folder alone', async () => {
    const folder = join(sb.home, 'secrets');
    await mkdir(folder);
    await chmod(folder, 0o755);
    await writeOwnConfig(sb.home, JSON.stringify({ tokenStorage: { encrypted: { path: join(folder, 'my.enc') } } }));
    await ok(['token', 'set', 'alpha', '--value', SECRET]);
    expect((await stat(folder)).mode & 0o777).toBe(0o755);
    expect((await stat(join(folder, 'my.enc'))).mode & 0o777).toBe(0o600);
  });

  it('directories it creates itself are 0700, parents included', async () => {
    await ok(['token', 'set', 'alpha', '--value', SECRET]);
    for (const dir of [dataDir, join(sb.home, '.local', 'share'), join(sb.env.XDG_STATE_HOME!, 'mcp-cli')])
      expect((await stat(dir)).mode & 0o777, dir).toBe(0o700);
  });

  it('a failed write is a sentence naming the path, not an errno text', async () => {
    await createQuickTokenFile(sb.env.XDG_DATA_HOME!, PASSPHRASE);
    await ok(['token', 'set', 'alpha', '--value', SECRET]);
    await writeFile(join(sb.home, 'not-a-folder'), 'x');
    // Said before any passphrase is asked for: here, without one, the folder is still the error.
    const r = await sb.run(['token', 'export', join(sb.home, 'not-a-folder', 'backup.age')], { env: { MCP_CLI_EXPORT_PASSPHRASE: undefined } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot create the directory ${join(sb.home, 'not-a-folder')}: a file that is not a directory is in the way`);
    expect(r.stderr).not.toMatch(/E[A-Z]+:/);
    const deeper = await sb.run(['token', 'export', join(sb.home, 'not-a-folder', 'sub', 'backup.age')]);
    expect(deeper.stderr).toContain(`cannot create the directory ${join(sb.home, 'not-a-folder', 'sub')}: a part of the path is not a directory`);
    const read = await sb.run(['token', 'import', join(sb.home, 'missing.age')]);
    expect(read.stderr).toContain(`cannot read ${join(sb.home, 'missing.age')}: no such file or directory`);
  });
});

describe('a tokens.enc that is a symbolic link', () => {
  it('is followed: read and written through, the link stays a link to the same file', async () => {
    const elsewhere = join(sb.home, 'synced');
    await mkdir(elsewhere, { mode: 0o700 });
    const real = join(elsewhere, 'tokens.enc');
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await symlink(real, tokenFile);
    // No file behind the link yet: an error, not a new store that replaces the link.
    const dangling = await sb.run(['token', 'set', 'alpha', '--value', SECRET]);
    expect(dangling.code).toBe(1);
    expect(dangling.stderr).toContain(`~/.local/share/mcp-cli/tokens.enc is a symbolic link to ${real}, which does not exist; nothing was read or written`);
    expect((await lstat(tokenFile)).isSymbolicLink()).toBe(true);

    // Write to the real file through another path, then use the link.
    await writeQuickTokenFile(real, PASSPHRASE);
    await writeOwnConfig(sb.home, JSON.stringify({ tokenStorage: { encrypted: { path: real } } }));
    await ok(['token', 'set', 'first', '--value', SECRET]);
    await rm(ownConfigPath(sb.home));
    await ok(['token', 'set', 'second', '--value', SECRET]);
    await ok(['token', 'delete', 'first']);
    expect((await lstat(tokenFile)).isSymbolicLink()).toBe(true);
    expect(await readlink(tokenFile)).toBe(real);
    expect((await stat(real)).mode & 0o777).toBe(0o600);
    expect(await names()).toEqual(['second']);
    expect((await readFile(real, 'utf8')).includes(SECRET)).toBe(false);
  });

  it('whose target went away is an error for every command, never an empty store', async () => {
    const real = join(sb.home, 'mounted', 'tokens.enc');
    await writeQuickTokenFile(real, PASSPHRASE);
    await writeOwnConfig(sb.home, JSON.stringify({ tokenStorage: { encrypted: { path: real } } }));
    await ok(['token', 'set', 'kept', '--value', SECRET]);
    await rm(ownConfigPath(sb.home));
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await symlink(real, tokenFile);
    await rm(join(sb.home, 'mounted'), { recursive: true });
    for (const args of [
      ['token', 'list'],
      ['token', 'get', 'kept'],
      ['token', 'set', 'new', '--value', SECRET],
      ['token', 'clear', '--force'],
    ]) {
      const r = await sb.run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain('is a symbolic link to');
      expect(r.stderr).toContain('which does not exist');
      expect(r.stderr).not.toContain('No tokens found');
    }
    expect((await lstat(tokenFile)).isSymbolicLink()).toBe(true);
  });
});
