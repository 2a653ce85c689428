// Token values cross the session bus only encrypted: every message on the private bus is
// recorded with dbus-monitor while tokens are written, read and listed, and the raw capture
// must not contain the value. A read with the Secret Service's "plain" transfer shows that the
// capture would reveal a value sent in the clear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/cli.js';
import { startPrivateKeyring, type PrivateKeyring } from '../helpers/keyring.js';
import { DbusConnection, socketPathOf } from '../../src/stores/keychain/dbus-client.js';

const SECRET = 'SENTINEL-on-the-bus-7f3a';
let keyring: PrivateKeyring;
let sandbox: Sandbox;

beforeAll(async () => {
  keyring = await startPrivateKeyring();
  sandbox = await createSandbox({ ...keyring.env, MCP_CLI_TOKEN_BACKEND: 'secret-service' });
});

afterAll(async () => {
  await sandbox?.cleanup();
  await keyring?.stop();
});

async function readInTheClear(account: string): Promise<string> {
  const conn = await DbusConnection.open(socketPathOf(keyring.address)!, 2000);
  const service = { destination: 'org.freedesktop.secrets', path: '/org/freedesktop/secrets', interface: 'org.freedesktop.Secret.Service' };
  try {
    const [, session] = await conn.call({ ...service, member: 'OpenSession', signature: 'sv', body: ['plain', ['s', '']] });
    const [[path]] = (await conn.call({
      ...service,
      member: 'SearchItems',
      signature: 'a{ss}',
      body: [
        [
          ['service', 'mcp-cli'],
          ['username', account],
        ],
      ],
    })) as [string[]];
    const [secret] = await conn.call({
      destination: 'org.freedesktop.secrets',
      path: path!,
      interface: 'org.freedesktop.Secret.Item',
      member: 'GetSecret',
      signature: 'o',
      body: [session as string],
    });
    return (secret as [string, Buffer, Buffer])[2].toString('utf8');
  } finally {
    conn.close();
  }
}

describe('token values on the session bus', () => {
  it('never appear in the clear when tokens are set, read and listed', async () => {
    const capture = await keyring.monitor();
    const set = await sandbox.run(['token', 'set', 'private', '--value', '-'], { input: SECRET });
    expect(set.code, set.stderr).toBe(0);
    const get = await sandbox.run(['token', 'get', 'private', '--show-value']);
    expect(get.stdout).toBe(`${SECRET}\n`);
    expect((await sandbox.run(['token', 'list'])).code).toBe(0);
    expect((await sandbox.run(['token', 'get', 'private'])).code).toBe(0);
    const raw = await capture.stop();
    expect(raw.includes('GetSecret'), 'the capture holds the reads').toBe(true);
    expect(raw.includes('SetSecret') || raw.includes('CreateItem'), 'the capture holds the write').toBe(true);
    expect(raw.includes(SECRET)).toBe(false);
  });

  it('would show a value read with the plain transfer (the check above can fail)', async () => {
    const capture = await keyring.monitor();
    expect(await readInTheClear('bearer:private')).toContain(SECRET);
    expect((await capture.stop()).includes(SECRET)).toBe(true);
  });
});
