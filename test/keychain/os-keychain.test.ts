// The CLI on this machine's own OS keychain, as a user runs it: the Secret Service on Linux (a
// private gnome-keyring), the macOS Keychain, the Windows Credential Manager (CI runs this file on
// all three). Each spawns the built binary with the platform's backend chosen by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/cli.js';
import { startOsKeychain, type OsKeychain } from '../helpers/os-keychain.js';

const SECRET = 'SENTINEL-os-keychain-5d1c';
let keychain: OsKeychain;
let sb: Sandbox;

beforeAll(async () => {
  keychain = await startOsKeychain();
  sb = await createSandbox(keychain.env);
});
afterAll(async () => {
  await sb?.cleanup();
  await keychain?.stop();
});

const run = (args: string[], input?: string) => sb.run(['--token-backend', keychain.descriptor.name, ...args], input !== undefined ? { input } : {});

describe(`the OS keychain of this machine (${process.platform})`, () => {
  it('token backends shows it available and active', async () => {
    const r = await run(['token', 'backends', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { active: { name: string } | null; backends: { name: string; available: boolean }[] };
    expect(report.active?.name).toBe(keychain.descriptor.name);
    expect(report.backends.find((b) => b.name === keychain.descriptor.name)?.available).toBe(true);
  });

  it('stores, lists, reads and deletes a token; no value is printed but by --show-value', async () => {
    const set = await run(['token', 'set', 'os-api', '--type', 'api-key', '--provider', 'openai'], SECRET);
    expect(set.code, set.stderr).toBe(0);
    const list = await run(['token', 'list', '--json']);
    expect((JSON.parse(list.stdout) as { name: string; namespace: string }[]).map((t) => `${t.namespace}:${t.name}`)).toEqual(['api-key:os-api']);
    const value = await run(['token', 'get', 'os-api', '--show-value']);
    expect(value.stdout).toBe(`${SECRET}\n`);
    for (const r of [set, list]) expect(r.stdout + r.stderr).not.toContain(SECRET);
    const gone = await run(['token', 'delete', 'os-api']);
    expect(gone.code, gone.stderr).toBe(0);
    expect((await run(['token', 'get', 'os-api'])).code).toBe(1);
  });

  it('keeps a value larger than one Windows credential (2560 bytes) and unicode intact', async () => {
    const large = `${SECRET}-${'ß☕'.repeat(1500)}`;
    expect((await run(['token', 'set', 'large', '--type', 'generic', '--value', '-'], large)).code).toBe(0);
    expect((await run(['token', 'get', 'large', '--show-value'])).stdout).toBe(`${large}\n`);
    expect((await run(['token', 'clear', '--force'])).code).toBe(0);
    expect((await run(['token', 'list', '--json'])).stdout).toBe('[]\n');
  });
});
