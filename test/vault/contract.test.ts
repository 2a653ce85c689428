// The Vault backend's contract. This file runs unchanged against a real Vault when
// VAULT_ADDR (and VAULT_TOKEN, with sudo on sys/mounts) is set in the environment of the
// test run, and against the in-repo server otherwise. It creates its own KV mounts and
// disables them afterwards. See docs/vault.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretStore } from '../../src/stores/store.js';
import { vaultBackend } from '../../src/stores/vault/descriptor.js';
import type { StoredToken, TokenMetadata } from '../../src/tokens/model.js';
import { TokenManager } from '../../src/tokens/manager.js';
import { backendEnv, disableMount, freshKvMount, vaultTarget, type VaultTarget } from '../helpers/vault-target.js';

let target: VaultTarget;
beforeAll(async () => {
  target = await vaultTarget();
});
afterAll(async () => {
  await target?.close();
});

function token(namespace: string, name: string, value: string, extra: Partial<TokenMetadata> = {}): StoredToken {
  const at = '2026-11-26T10:00:00.000Z';
  return { metadata: { name, namespace, type: 'bearer', createdAt: at, updatedAt: at, details: {}, ...extra }, secret: { token: value } };
}

describe.each([2, 1] as const)('Vault backend contract, KV v%i', (kv) => {
  let mount: string;
  let open: () => Promise<SecretStore>;

  beforeAll(async () => {
    mount = await freshKvMount(target, kv);
    open = () => vaultBackend.open(backendEnv(target.env, { mount }));
  });
  afterAll(async () => {
    if (mount) await disableMount(target, mount);
  });

  it(`detects KV v${kv} through sys/internal/ui/mounts and is claimed by auto selection`, async () => {
    const be = backendEnv(target.env, { mount });
    expect(vaultBackend.autoRole(be)).toBe('claim');
    const availability = await vaultBackend.probe(be);
    expect(availability).toMatchObject({ available: true });
    expect(availability.detail).toContain(`${mount}/ (KV v${kv})`);
    expect(availability.detail).not.toContain(target.env.VAULT_TOKEN);
  });

  it('stores, reads, lists and deletes a token with all its metadata', async () => {
    const store = await open();
    const t = token('team', 'shared-api', 'sentinel-value-1', { provider: 'acme', expiresAt: '2027-01-31T00:00:00.000Z', details: { organization: 'org-1' } });
    await store.put(t);
    expect(await store.get({ namespace: 'team', name: 'shared-api' })).toEqual(t);
    expect(await store.list()).toEqual([t.metadata]);
    expect(await store.list('team')).toEqual([t.metadata]);
    expect(await store.list('other')).toEqual([]);
    expect(
      await store.delete([
        { namespace: 'team', name: 'shared-api' },
        { namespace: 'team', name: 'never-was' },
      ]),
    ).toEqual([{ namespace: 'team', name: 'shared-api' }]);
    expect(await store.get({ namespace: 'team', name: 'shared-api' })).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('replaces a token whole: the new value with the new metadata', async () => {
    const store = await open();
    await store.put(token('bearer', 'rotating', 'old-value', { provider: 'old' }));
    const next = token('bearer', 'rotating', 'new-value', { provider: 'new', updatedAt: '2026-11-27T00:00:00.000Z' });
    await store.put(next);
    expect(await store.get({ namespace: 'bearer', name: 'rotating' })).toEqual(next);
    await store.delete([{ namespace: 'bearer', name: 'rotating' }]);
  });

  it('is shared: what one user stores, another with the same Vault access reads', async () => {
    const alice = new TokenManager(await open());
    const bob = new TokenManager(await open());
    await alice.set({ name: 'shared-api', type: 'bearer', namespace: 'team', secret: { token: 'team-secret' } });
    expect((await bob.reveal('shared-api', 'team')).secret.token).toBe('team-secret');
    expect((await bob.list({ namespace: 'team' })).map((m) => m.name)).toEqual(['shared-api']);
    await bob.delete('shared-api', 'team');
    expect(await alice.list()).toEqual([]);
  });

  it('loses nothing with 20 concurrent writers of different tokens', async () => {
    const stores = await Promise.all(Array.from({ length: 20 }, () => open()));
    await Promise.all(stores.map((s, i) => s.put(token('team', `writer-${i}`, `value-${i}`))));
    const listed = await stores[0]!.list('team');
    expect(listed.map((m) => m.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `writer-${i}`).sort());
    for (let i = 0; i < 20; i++) expect((await stores[0]!.get({ namespace: 'team', name: `writer-${i}` }))?.secret.token).toBe(`value-${i}`);
    await stores[0]!.delete(listed);
  });

  it('leaves one consistent token when 20 writers replace the same one at once', async () => {
    const stores = await Promise.all(Array.from({ length: 20 }, () => open()));
    await Promise.all(stores.map((s, i) => s.put(token('team', 'contended', `value-${i}`, { provider: `writer-${i}` }))));
    const final = await stores[0]!.get({ namespace: 'team', name: 'contended' });
    expect(final).toBeDefined();
    // Whichever writer won, its value and its metadata arrived together.
    expect(final!.secret.token).toBe(final!.metadata.provider!.replace('writer-', 'value-'));
    await stores[0]!.delete([{ namespace: 'team', name: 'contended' }]);
  });

  it('ignores entries under the prefix that mcp-cli did not write', async () => {
    const store = await open();
    const foreign = kv === 2 ? `${mount}/data/mcp-cli/team/foreign` : `${mount}/mcp-cli/team/foreign`;
    expect([200, 204]).toContain((await target.admin('POST', foreign, kv === 2 ? { data: { token: 'x' } } : { token: 'x' })).status);
    await store.put(token('team', 'ours', 'v'));
    expect((await store.list()).map((m) => m.name)).toEqual(['ours']);
    expect(await store.get({ namespace: 'team', name: 'foreign' })).toBeUndefined();
    expect(await store.delete([{ namespace: 'team', name: 'foreign' }])).toEqual([]);
    await store.delete([{ namespace: 'team', name: 'ours' }]);
  });

  if (kv === 2) {
    it('keeps the value fields as secret data and the metadata in custom_metadata', async () => {
      const store = await open();
      await store.put(token('team', 'layout', 'layout-secret', { provider: 'acme' }));
      const data = await target.admin('GET', `${mount}/data/mcp-cli/team/layout`);
      expect((data.body!.data as { data: unknown }).data).toEqual({ token: 'layout-secret' });
      const meta = await target.admin('GET', `${mount}/metadata/mcp-cli/team/layout`);
      const custom = (meta.body!.data as { custom_metadata: Record<string, string> }).custom_metadata;
      expect(custom).toMatchObject({ type: 'bearer', provider: 'acme', created: '2026-11-26T10:00:00.000Z' });
      expect(JSON.stringify(custom)).not.toContain('layout-secret');
      await store.delete([{ namespace: 'team', name: 'layout' }]);
      expect((await target.admin('GET', `${mount}/metadata/mcp-cli/team/layout`)).status).toBe(404);
    });

    it('does not show a write whose metadata was never committed', async () => {
      const store = await open();
      await store.put(token('team', 'half', 'committed-value'));
      // Another version written behind mcp-cli's back (or by a writer that died before committing).
      const current = await target.admin('GET', `${mount}/metadata/mcp-cli/team/half`);
      const cas = (current.body!.data as { current_version: number }).current_version;
      expect((await target.admin('POST', `${mount}/data/mcp-cli/team/half`, { options: { cas }, data: { token: 'uncommitted' } })).status).toBe(200);
      expect((await store.get({ namespace: 'team', name: 'half' }))?.secret.token).toBe('committed-value');
      await store.delete([{ namespace: 'team', name: 'half' }]);
    });
  }
});
