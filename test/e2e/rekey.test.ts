// `token passphrase` re-keys: an old copy of tokens.enc and the old passphrase, opened by a
// small script that follows docs/encrypted-file.md, open nothing written after the change.
import { spawn } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/cli.js';

const OLD = 'the old passphrase';
const NEW = 'the new passphrase';
const SECRET = 'SENTINEL-rekey-c0de';
const SCRIPT = fileURLToPath(new URL('../helpers/decrypt-tokens-file.mjs', import.meta.url));

function decrypt(file: string, args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, file, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

let sb: Sandbox;
let tokenFile: string;
beforeEach(async () => {
  sb = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: OLD, MCP_CLI_TOKEN_BACKEND: 'encrypted' }, { inProcess: true });
  tokenFile = join(sb.env.XDG_DATA_HOME!, 'mcp-cli', 'tokens.enc');
});
afterEach(() => sb.cleanup());

describe('token passphrase', () => {
  it('re-encrypts under a new data key and salt: the old copy and old passphrase open nothing newer', async () => {
    expect((await sb.run(['token', 'set', 'before', '--value', `${SECRET}-before`])).code).toBe(0);
    const oldCopy = join(sb.home, 'tokens.enc.old');
    await copyFile(tokenFile, oldCopy);

    // The script reads the old copy with the old passphrase: it follows the documented format.
    const opened = await decrypt(oldCopy, [], OLD);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).toContain(`${SECRET}-before`);
    const oldKey = (await decrypt(oldCopy, ['--data-key'], OLD)).stdout.trim();
    expect(oldKey).toMatch(/^[0-9a-f]{64}$/);

    const change = await sb.run(['token', 'passphrase'], { env: { MCP_CLI_NEW_ENCRYPTION_KEY: NEW } });
    expect(change.code, change.stderr).toBe(0);
    expect((await sb.run(['token', 'set', 'after', '--value', `${SECRET}-after`], { env: { MCP_CLI_ENCRYPTION_KEY: NEW } })).code).toBe(0);

    const newer = JSON.parse(await readFile(tokenFile, 'utf8'));
    const older = JSON.parse(await readFile(oldCopy, 'utf8'));
    expect(newer.kdf.salt).not.toBe(older.kdf.salt);
    // Neither the old passphrase nor the old data key opens the new file.
    const withOldPassphrase = await decrypt(tokenFile, [], OLD);
    expect(withOldPassphrase.code).toBe(1);
    expect(withOldPassphrase.stderr).toContain('unwrap the data key');
    const withOldKey = await decrypt(tokenFile, ['--with-key', oldKey]);
    expect(withOldKey.code).toBe(1);
    expect(withOldKey.stderr).toContain('decrypt the payload');
    expect(withOldKey.stdout + withOldPassphrase.stdout).not.toContain(SECRET);

    // The new passphrase opens everything, before and after; its data key is a new one.
    const current = await decrypt(tokenFile, [], NEW);
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout).toContain(`${SECRET}-before`);
    expect(current.stdout).toContain(`${SECRET}-after`);
    expect((await decrypt(tokenFile, ['--data-key'], NEW)).stdout.trim()).not.toBe(oldKey);
  });
});
