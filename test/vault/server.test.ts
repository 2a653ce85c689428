// The in-repo Vault stand-in answers as Vault's API documentation says, for what mcp-cli uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultServer, type VaultServer } from '../helpers/vault-server/server.js';

// Vault's answers are loosely typed JSON; the tests look into them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

let vault: VaultServer;

beforeAll(async () => {
  vault = await startVaultServer();
});
afterAll(async () => {
  await vault.close();
});

async function call(method: string, path: string, options: { token?: string; body?: unknown; namespace?: string } = {}) {
  const headers: Record<string, string> = { 'X-Vault-Token': options.token ?? vault.rootToken };
  if (options.namespace) headers['X-Vault-Namespace'] = options.namespace;
  const response = await fetch(`${vault.address}/v1/${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Body) : undefined };
}

describe('in-repo Vault server: KV v2', () => {
  it('answers a missing secret and an empty folder with 404 {"errors":[]}', async () => {
    expect(await call('GET', 'secret/data/nothing/here')).toEqual({ status: 404, body: { errors: [] } });
    expect(await call('GET', 'secret/metadata/nothing/here')).toEqual({ status: 404, body: { errors: [] } });
    expect(await call('GET', 'secret/metadata/nothing/?list=true')).toEqual({ status: 404, body: { errors: [] } });
  });

  it('writes versions, enforces check-and-set with Vault error text, and lists folders with a trailing slash', async () => {
    const first = await call('POST', 'secret/data/app/one', { body: { options: { cas: 0 }, data: { token: 'v1' } } });
    expect(first.status).toBe(200);
    expect(first.body!.data).toMatchObject({ version: 1, deletion_time: '', destroyed: false, custom_metadata: null });
    expect(await call('POST', 'secret/data/app/one', { body: { options: { cas: 0 }, data: { token: 'x' } } })).toEqual({
      status: 400,
      body: { errors: ['check-and-set parameter did not match the current version'] },
    });
    expect((await call('POST', 'secret/data/app/one', { body: { options: { cas: 1 }, data: { token: 'v2' } } })).body!.data.version).toBe(2);
    const read = await call('GET', 'secret/data/app/one');
    expect(read.body!.data).toMatchObject({ data: { token: 'v2' }, metadata: { version: 2 } });
    expect((await call('GET', 'secret/data/app/one?version=1')).body!.data.data).toEqual({ token: 'v1' });
    await call('POST', 'secret/data/app/sub/two', { body: { data: { a: 'b' } } });
    expect((await call('GET', 'secret/metadata/app?list=true')).body!.data.keys).toEqual(['one', 'sub/']);
  });

  it('keeps custom_metadata on the metadata endpoint, validates it as Vault does, and returns 204 on write', async () => {
    expect((await call('POST', 'secret/metadata/app/one', { body: { custom_metadata: { type: 'bearer' } } })).status).toBe(204);
    const meta = await call('GET', 'secret/metadata/app/one');
    expect(meta.body!.data).toMatchObject({ current_version: 2, oldest_version: 1, custom_metadata: { type: 'bearer' }, delete_version_after: '0s' });
    expect(Object.keys(meta.body!.data.versions)).toEqual(['1', '2']);
    const bad = await call('POST', 'secret/metadata/app/one', { body: { custom_metadata: { empty: '' } } });
    expect(bad.status).toBe(400);
    expect(bad.body!.errors[0]).toMatch(/custom_metadata validation failed: length of value for key "empty" is 0/);
  });

  it('answers a deleted version with 404 and its metadata, and a destroyed one likewise', async () => {
    expect((await call('DELETE', 'secret/data/app/one')).status).toBe(204);
    const deleted = await call('GET', 'secret/data/app/one');
    expect(deleted.status).toBe(404);
    expect(deleted.body!.errors).toBeUndefined();
    expect(deleted.body!.data.data).toBeNull();
    expect(deleted.body!.data.metadata.version).toBe(2);
    expect(deleted.body!.data.metadata.deletion_time).not.toBe('');
    expect((await call('POST', 'secret/destroy/app/one', { body: { versions: [1] } })).status).toBe(204);
    const destroyed = await call('GET', 'secret/data/app/one?version=1');
    expect(destroyed.status).toBe(404);
    expect(destroyed.body!.data.metadata.destroyed).toBe(true);
    expect((await call('DELETE', 'secret/metadata/app/one')).status).toBe(204);
    expect((await call('GET', 'secret/metadata/app/one')).status).toBe(404);
  });

  it("rejects non-KV-v2 paths on a v2 mount with Vault's message", async () => {
    const r = await call('GET', 'secret/app/one');
    expect(r.status).toBe(404);
    expect(r.body!.errors[0]).toMatch(/^Invalid path for a versioned K\/V secrets engine/);
  });
});

describe('in-repo Vault server: auth, policies, mounts, seal, namespaces', () => {
  it('denies a missing, unknown or expired token with 403 "permission denied"', async () => {
    expect(await call('GET', 'secret/data/x', { token: '' })).toEqual({ status: 403, body: { errors: ['permission denied'] } });
    expect(await call('GET', 'auth/token/lookup-self', { token: 'hvs.nope' })).toEqual({ status: 403, body: { errors: ['permission denied'] } });
    const token = vault.createToken({ policies: [] });
    expect((await call('GET', 'auth/token/lookup-self', { token })).status).toBe(200);
    vault.expireToken(token);
    expect((await call('GET', 'auth/token/lookup-self', { token })).status).toBe(403);
  });

  it('applies path policies: capabilities per operation, globs', async () => {
    vault.addPolicy('reader', [{ path: 'secret/data/shared/*', capabilities: ['read'] }]);
    const token = vault.createToken({ policies: ['reader'] });
    await call('POST', 'secret/data/shared/a', { body: { data: { v: '1' } } });
    expect((await call('GET', 'secret/data/shared/a', { token })).status).toBe(200);
    expect(await call('POST', 'secret/data/shared/a', { token, body: { data: { v: '2' } } })).toEqual({ status: 403, body: { errors: ['permission denied'] } });
    expect((await call('GET', 'secret/data/other', { token })).status).toBe(403);
  });

  it('reports a mount and its KV version through sys/internal/ui/mounts, and a preflight 403 without access', async () => {
    vault.enableKv('kv1', 1);
    const v2 = await call('GET', 'sys/internal/ui/mounts/secret');
    expect(v2.body!.data).toMatchObject({ type: 'kv', path: 'secret/', options: { version: '2' } });
    expect((await call('GET', 'sys/internal/ui/mounts/kv1')).body!.data).toMatchObject({ path: 'kv1/', options: { version: '1' } });
    const token = vault.createToken({ policies: [] });
    expect(await call('GET', 'sys/internal/ui/mounts/secret', { token })).toEqual({
      status: 403,
      body: { errors: ['preflight capability check returned 403, please ensure client\'s policies grant access to path "secret/"'] },
    });
  });

  it('serves KV v1: whole-body writes (204), reads with a lease duration, LIST, 404 {"errors":[]}', async () => {
    expect((await call('POST', 'kv1/app/one', { body: { token: 'a', meta: { x: '1' } } })).status).toBe(204);
    const read = await call('GET', 'kv1/app/one');
    expect(read.body).toMatchObject({ data: { token: 'a', meta: { x: '1' } }, lease_duration: 2764800 });
    expect((await call('GET', 'kv1/app?list=true')).body!.data.keys).toEqual(['one']);
    expect((await call('DELETE', 'kv1/app/one')).status).toBe(204);
    expect(await call('GET', 'kv1/app/?list=true')).toEqual({ status: 404, body: { errors: [] } });
  });

  it('answers 503 "Vault is sealed" to everything but the seal status while sealed', async () => {
    vault.sealed = true;
    try {
      expect(await call('GET', 'secret/data/x')).toEqual({ status: 503, body: { errors: ['Vault is sealed'] } });
      expect((await call('GET', 'sys/seal-status')).body).toMatchObject({ sealed: true });
    } finally {
      vault.sealed = false;
    }
  });

  it('keeps namespaces apart (X-Vault-Namespace) and refuses a token outside its namespace', async () => {
    vault.addNamespace('team-a');
    vault.enableKv('secret', 2, 'team-a');
    await call('POST', 'secret/data/ns-test', { namespace: 'team-a', body: { data: { v: 'a' } } });
    expect((await call('GET', 'secret/data/ns-test', { namespace: 'team-a' })).body!.data.data).toEqual({ v: 'a' });
    expect((await call('GET', 'secret/data/ns-test')).status).toBe(404);
    const inA = vault.createToken({ policies: [], namespace: 'team-a' });
    expect((await call('GET', 'auth/token/lookup-self', { token: inA })).status).toBe(403);
    expect((await call('GET', 'auth/token/lookup-self', { token: inA, namespace: 'team-a' })).status).toBe(200);
  });
});
