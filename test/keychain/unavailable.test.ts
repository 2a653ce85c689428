import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSandbox, type Sandbox } from '../helpers/cli.js';
import { startPrivateKeyring, type PrivateKeyring } from '../helpers/keyring.js';
import { DbusConnection, socketPathOf } from '../../src/stores/keychain/dbus-client.js';

const SENTINEL = 'SENTINEL-never-written-anywhere';

interface BackendsJson {
  active: { name: string; reason: string } | null;
  backends: { name: string; available: boolean; detail: string }[];
}

async function backends(sandbox: Sandbox): Promise<BackendsJson> {
  const r = await sandbox.run(['token', 'backends', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as BackendsJson;
}

const secretService = (b: BackendsJson) => b.backends.find((x) => x.name === 'secret-service')!;

/** Asserts the explicit choice failed closed: exit 1, the reason and a hint, nothing stored in a file. */
async function expectRefused(sandbox: Sandbox, reason: RegExp): Promise<void> {
  const r = await sandbox.run(['--token-backend', 'secret-service', 'token', 'set', 'refused', '--value', '-'], {
    input: SENTINEL,
    env: { MCP_CLI_ENCRYPTION_KEY: 'would-work-if-it-fell-back' },
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error: token backend 'secret-service' \(chosen by --token-backend\) is unavailable: /);
  expect(r.stderr).toMatch(reason);
  expect(r.stderr).toMatch(/\nhint: /);
  expect(r.stdout + r.stderr).not.toContain(SENTINEL);
  expect(existsSync(join(sandbox.home, '.local', 'share', 'mcp-cli', 'tokens.enc'))).toBe(false);
}

describe('no session bus', () => {
  let sandbox: Sandbox;
  beforeAll(async () => (sandbox = await createSandbox()));
  afterAll(() => sandbox.cleanup());

  it('says so in token backends, and auto falls back to the encrypted file with the reason', async () => {
    const b = await backends(sandbox);
    expect(secretService(b)).toMatchObject({ available: false, detail: 'no session bus: DBUS_SESSION_BUS_ADDRESS is unset' });
    expect(b.active?.name).toBe('encrypted');
    expect(b.active?.reason).toContain('no OS keychain reachable (secret-service: no session bus');
  });

  it('refuses an explicit secret-service choice and writes nothing elsewhere', async () => {
    await expectRefused(sandbox, /DBUS_SESSION_BUS_ADDRESS is unset/);
  });

  it('names a bus address that leads nowhere', async () => {
    const r = await sandbox.run(['token', 'backends', '--json'], { env: { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(sandbox.home, 'no-such-socket')}` } });
    expect(secretService(JSON.parse(r.stdout) as BackendsJson).detail).toMatch(/^cannot connect to the session bus at unix:path=.*no-such-socket: /);
  });
});

describe('a session bus without a Secret Service provider', () => {
  let bus: PrivateKeyring;
  let sandbox: Sandbox;
  beforeAll(async () => {
    bus = await startPrivateKeyring({ keyring: false });
    sandbox = await createSandbox(bus.env);
  });
  afterAll(async () => {
    await sandbox?.cleanup();
    await bus?.stop();
  });

  it('is reported as no provider', async () => {
    expect(secretService(await backends(sandbox)).detail).toBe('no Secret Service provider on the session bus (nothing owns org.freedesktop.secrets)');
    await expectRefused(sandbox, /no Secret Service provider/);
  });

  describe('when the provider never answers', () => {
    let squatter: DbusConnection | undefined;
    afterEach(() => squatter?.close());

    it('gives up after MCP_CLI_KEYCHAIN_TIMEOUT_MS instead of hanging', async () => {
      squatter = await DbusConnection.open(socketPathOf(bus.address)!, 5000);
      await squatter.call({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'RequestName',
        signature: 'su',
        body: ['org.freedesktop.secrets', 0],
      });
      const env = { MCP_CLI_KEYCHAIN_TIMEOUT_MS: '500' };
      const r = await sandbox.run(['token', 'backends', '--json'], { env, timeoutMs: 20_000 });
      // A keychain that is here but does not answer is what auto chose: an error, not a fallback (token backends reports it, exit 0).
      expect(r.code, 'token backends hung and was killed').toBe(0);
      expect((JSON.parse(r.stdout) as { active: unknown }).active).toBeNull();
      const b = JSON.parse(r.stdout) as BackendsJson & { error: string };
      expect(secretService(b).detail).toBe('the Secret Service did not answer within 500 ms');
      expect(b.error).toContain('is here but cannot be used: the Secret Service did not answer within 500 ms');
      const set = await sandbox.run(['--token-backend', 'secret-service', 'token', 'set', 'x', '--value', SENTINEL], { env, timeoutMs: 20_000 });
      expect(set.code).toBe(1);
      expect(set.stderr).toContain('did not answer within 500 ms');
      expect(set.stderr).toContain('MCP_CLI_KEYCHAIN_TIMEOUT_MS');
    });
  });
});

describe('a Secret Service provider without a default keyring', () => {
  let keyring: PrivateKeyring;
  let sandbox: Sandbox;
  beforeAll(async () => {
    keyring = await startPrivateKeyring({ defaultKeyring: false });
    sandbox = await createSandbox(keyring.env);
  });
  afterAll(async () => {
    await sandbox?.cleanup();
    await keyring?.stop();
  });

  it('is reported as having none, with how to create one, and is not passed over by auto', async () => {
    const r = await sandbox.run(['token', 'backends', '--json']);
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout) as BackendsJson;
    expect(secretService(b)).toMatchObject({ available: false, detail: 'the Secret Service has no default keyring (the default alias names no collection)' });
    expect(b.active).toBeNull();
    await expectRefused(sandbox, /the Secret Service has no default keyring/);
    const set = await sandbox.run(['token', 'set', 'nowhere', '--value', 'x']);
    expect(set.code).toBe(1);
    expect(set.stderr).toContain('hint: create a default keyring, e.g. with Seahorse');
  });
});

describe('a locked keyring', () => {
  let keyring: PrivateKeyring;
  let sandbox: Sandbox;
  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    sandbox = await createSandbox(keyring.env);
    const r = await sandbox.run(['token', 'set', 'before-lock', '--value', 'kept']);
    expect(r.code, r.stderr).toBe(0);
    await keyring.lock();
  });
  afterAll(async () => {
    await sandbox?.cleanup();
    await keyring?.stop();
  });

  it('is reported as locked by token backends, and is not passed over by auto', async () => {
    const r = await sandbox.run(['token', 'backends', '--json']);
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout) as BackendsJson & { error: string };
    expect(secretService(b)).toMatchObject({ available: false, detail: "the default keyring 'Login' is locked" });
    expect(b.active).toBeNull();
    expect(b.error).toContain('is locked');
    const table = await sandbox.run(['token', 'backends']);
    expect(table.stdout).toMatch(/^secret-service\tlocked\t\t/m);
  });

  it('refuses an explicit choice with how to unlock, and writes nothing', async () => {
    await expectRefused(sandbox, /the default keyring 'Login' is locked/);
    const r = await sandbox.run(['--token-backend', 'secret-service', 'token', 'set', 'refused', '--value', 'x']);
    expect(r.stderr).toContain('hint: unlock it');
    const list = await sandbox.run(['--token-backend', 'secret-service', 'token', 'list']);
    expect(list.code).toBe(1);
  });
});
