import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSandbox, type Sandbox } from '../helpers/cli.js';
import { startPrivateKeyring, type PrivateKeyring } from '../helpers/keyring.js';
import { secretServiceBackend } from '../../src/stores/keychain/descriptor.js';
import { TokenManager } from '../../src/tokens/manager.js';
import type { BackendEnv } from '../../src/stores/backend.js';
import type { Prompter } from '../../src/io/prompter.js';
import { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { sessionItems, type KeyringItems } from '../../src/stores/keychain/items.js';
import { probeSecretService } from '../../src/stores/keychain/secret-service.js';

let keyring: PrivateKeyring;
let sandbox: Sandbox;

beforeAll(async () => {
  keyring = await startPrivateKeyring();
  sandbox = await createSandbox(keyring.env);
});

afterAll(async () => {
  delete process.env.DBUS_SESSION_BUS_ADDRESS;
  await sandbox?.cleanup();
  await keyring?.stop();
});

/** The item as another program sees it, through libsecret. */
async function lookup(account: string): Promise<string | undefined> {
  const r = await keyring.secretTool(['lookup', 'service', 'mcp-cli', 'username', account]);
  return r.code === 0 ? r.stdout : undefined;
}

async function accounts(): Promise<string[]> {
  const r = await keyring.secretTool(['search', '--all', 'service', 'mcp-cli']);
  // secret-tool prints the attributes on stderr.
  return [...r.stderr.matchAll(/^attribute\.username = (.*)$/gm)].map((m) => m[1]!).sort();
}

async function listJson(): Promise<{ name: string; namespace: string; type: string; details: Record<string, string> }[]> {
  const r = await sandbox.run(['token', 'list', '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('secret-service backend against a real gnome-keyring', () => {
  it('is what auto picks, and token backends says why', async () => {
    const r = await sandbox.run(['token', 'backends', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.active).toMatchObject({ name: 'secret-service', source: 'auto' });
    expect(out.backends.find((b: { name: string }) => b.name === 'secret-service')).toMatchObject({ available: true, active: true });
    expect(out.backends.find((b: { name: string }) => b.name === 'keychain').detail).toMatch(/macOS only/);
  });

  it.each([
    ['bearer', 'rt-bearer', 'bearer', 'token', []],
    ['api-key', 'rt-apikey', 'api-key', 'key', ['--provider', 'openai', '--organization', 'org-1']],
    ['basic', 'rt-basic', 'generic', 'password', ['--username', 'alice']],
    ['generic', 'rt-generic', 'generic', 'value', []],
  ])('round-trips a %s token, visible to secret-tool', async (type, name, namespace, field, extra) => {
    const secret = `SENTINEL-${type}-v4lue`;
    const set = await sandbox.run(['token', 'set', name, '--type', type, '--value', '-', ...extra], { input: secret });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain('secret-service backend');
    expect(set.stdout + set.stderr).not.toContain(secret);

    const item = await lookup(`${namespace}:${name}`);
    expect(item).toBeDefined();
    const stored = JSON.parse(item!);
    expect(stored.secret[field]).toBe(secret);
    expect(stored.metadata).toMatchObject({ name, namespace, type });

    const get = await sandbox.run(['token', 'get', name, '--show-value']);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toBe(`${secret}\n`);

    const listed = (await listJson()).find((t) => t.name === name);
    expect(listed).toMatchObject({ namespace, type });
    expect(JSON.stringify(listed)).not.toContain(secret);
  });

  it('round-trips an OAuth token written through the TokenManager', async () => {
    const be: BackendEnv = {
      env: { ...keyring.env, HOME: sandbox.home, XDG_STATE_HOME: sandbox.env.XDG_STATE_HOME },
      platform: 'linux',
      settings: {},
      prompter: {} as Prompter,
      canPrompt: false,
      stderr: new Writable({ write: (_c, _e, cb) => cb() }),
    };
    expect((await secretServiceBackend.probe(be)).available).toBe(true);
    // The native library reads the bus address from the process environment.
    process.env.DBUS_SESSION_BUS_ADDRESS = keyring.address;
    const manager = new TokenManager(await secretServiceBackend.open(be));
    const secret = {
      accessToken: 'SENTINEL-access-' + 'a'.repeat(1500),
      refreshToken: 'SENTINEL-refresh-' + 'r'.repeat(1500),
      idToken: 'eyJ' + 'i'.repeat(900),
    };
    await manager.set({
      name: 'my-server',
      type: 'oauth',
      secret,
      provider: 'https://auth.example',
      expiresAt: new Date(Date.now() + 3600_000),
      details: { scope: 'read write' },
    });

    const again = await manager.reveal('my-server', 'oauth');
    expect(again.secret).toEqual(secret);
    const get = await sandbox.run(['token', 'get', 'my-server', '--oauth', '--show-value']);
    expect(get.stdout).toBe(`${secret.accessToken}\n`);
    // Larger than one Windows credential: stored in parts, all visible to secret-tool.
    expect((await accounts()).filter((a) => a.startsWith('oauth:my-server:')).length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse((await lookup('oauth:my-server'))!)).toHaveProperty('chunked');
  });

  it('round-trips an 8 KB value', async () => {
    const value = Array.from({ length: 8192 }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[i % 36]).join('');
    const set = await sandbox.run(['token', 'set', 'eight-k', '--type', 'generic', '--value', '-'], { input: value });
    expect(set.code, set.stderr).toBe(0);
    const get = await sandbox.run(['token', 'get', 'eight-k', '--show-value']);
    expect(get.stdout).toBe(`${value}\n`);
    expect((await accounts()).filter((a) => a.startsWith('generic:eight-k:')).length).toBeGreaterThanOrEqual(7);
  });

  it('keeps unicode names and values intact', async () => {
    const name = 'clé-東京-🔑';
    const value = 'пароль-密码-🙂-\u00e9';
    const set = await sandbox.run(['token', 'set', name, '--type', 'generic', '--value', '-'], { input: value });
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse((await lookup(`generic:${name}`))!).secret.value).toBe(value);
    expect((await sandbox.run(['token', 'get', name, '--show-value'])).stdout).toBe(`${value}\n`);
    expect((await listJson()).map((t) => t.name)).toContain(name);
  });

  it('keeps all of 20 tokens set by 20 processes at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sandbox.run(['token', 'set', `par-${i}`, '--namespace', 'parallel', '--value', `v-${i}`], { timeoutMs: 60_000 })),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const listed = (await listJson()).filter((t) => t.namespace === 'parallel').map((t) => t.name);
    expect(listed.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `par-${i}`).sort());
    expect((await accounts()).filter((a) => a.startsWith('parallel:'))).toHaveLength(20);
    expect(existsSync(join(sandbox.home, '.local', 'share', 'mcp-cli', 'tokens.enc')), 'nothing goes to the encrypted file').toBe(false);
  });

  it('deletes the item, as secret-tool sees', async () => {
    await sandbox.run(['token', 'set', 'to-delete', '--value', 'x']);
    expect(await lookup('bearer:to-delete')).toBeDefined();
    const del = await sandbox.run(['token', 'delete', 'to-delete']);
    expect(del.code, del.stderr).toBe(0);
    expect(await lookup('bearer:to-delete')).toBeUndefined();
    expect((await listJson()).map((t) => t.name)).not.toContain('to-delete');
  });

  it('drops from token list an item deleted with secret-tool, and does not report its index entry', async () => {
    await sandbox.run(['token', 'set', 'outside-delete', '--value', 'x']);
    expect((await listJson()).map((t) => t.name)).toContain('outside-delete');
    const clear = await keyring.secretTool(['clear', 'service', 'mcp-cli', 'username', 'bearer:outside-delete']);
    expect(clear.code).toBe(0);
    expect((await listJson()).map((t) => t.name)).not.toContain('outside-delete');
    const get = await sandbox.run(['token', 'get', 'outside-delete']);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain("token 'outside-delete' not found");
  });

  it('lists tokens again after the index item itself is deleted', async () => {
    await sandbox.run(['token', 'set', 'survivor', '--value', 'x', '--provider', 'acme']);
    await keyring.secretTool(['clear', 'service', 'mcp-cli', 'username', 'index']);
    const listed = await listJson();
    expect(listed.find((t) => t.name === 'survivor')).toMatchObject({ namespace: 'bearer', type: 'bearer' });
    expect(await lookup('index')).toBeDefined();
    expect((await listJson()).find((t) => t.name === 'survivor')).toMatchObject({ details: {} });
  });
});

// Items that mcp-cli wrote through keyring-rs (@napi-rs/keyring) before it wrote over its own
// connection: the same attributes and label, so each path reads, replaces and deletes the other's.
describe('many callers at once', () => {
  // gnome-keyring 42 registers a caller on its first message in a callback that can run after
  // that message's handler; a first message that needs the registration then aborts the daemon
  // (SIGABRT in its property getter). With the keyring's properties as the first call, 20
  // connections at a time aborted it within 400 to 2200 probes, in every try.
  it('3000 probes, 20 connections at a time, all find the keyring unlocked, and it keeps running', async () => {
    const own = await startPrivateKeyring();
    try {
      let left = 3000;
      const details = new Map<string, number>();
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (left-- > 0) {
            const status = await probeSecretService(own.env, 10_000);
            details.set(status.detail, (details.get(status.detail) ?? 0) + 1);
            if (status.available) status.session.conn.close();
          }
        }),
      );
      expect(Object.fromEntries(details)).toEqual({ "Secret Service, keyring 'Login'": 3000 });
    } finally {
      await own.stop();
    }
  });
});

describe('items written through keyring-rs and through the probe connection are the same items', () => {
  const service = 'mcp-cli-compat';
  let items: KeyringItems;
  let native: (account: string) => import('@napi-rs/keyring').AsyncEntry;
  beforeAll(async () => {
    const status = await probeSecretService(keyring.env, 3000);
    if (!status.available) throw new Error(status.detail);
    items = sessionItems(status.session, { backend: 'secret-service', service, platform: 'linux', timeoutMs: 3000, label: 'Secret Service' });
    process.env.DBUS_SESSION_BUS_ADDRESS = keyring.address;
    const { AsyncEntry } = createRequire(import.meta.url)('@napi-rs/keyring') as typeof import('@napi-rs/keyring');
    native = (account) => new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
  });
  // secret-tool prints the attributes and label on stderr, the secret on stdout.
  const search = async () => {
    const r = await keyring.secretTool(['search', '--all', 'service', service]);
    return r.stderr + r.stdout;
  };

  it('reads, replaces and deletes an item keyring-rs wrote', async () => {
    await native('old').setPassword('written by keyring-rs');
    expect(await items.get('old')).toBe('written by keyring-rs');
    await items.set('old', 'replaced ✓');
    expect(await native('old').getPassword()).toBe('replaced ✓');
    expect((await search()).match(/^label = /gm)).toHaveLength(1);
    expect(await items.delete('old')).toBe(true);
    expect(await native('old').getPassword()).toBeNull();
    expect(await items.delete('old')).toBe(false);
  });

  it('writes an item keyring-rs reads and deletes, under its label', async () => {
    await items.set('new', 'written over the connection');
    expect(await native('new').getPassword()).toBe('written over the connection');
    expect(await search()).toContain('label = keyring:new@mcp-cli-compat');
    await native('new').deleteCredential();
    expect(await items.get('new')).toBeUndefined();
  });
});
