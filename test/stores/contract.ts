// The behaviour every SecretStore must have, written once and run against every backend
// (test/stores/contract.test.ts), as keyring-rs runs one test list against every store.
import { describe, expect, it } from 'vitest';
import type { SecretStore } from '../../src/stores/store.js';
import { keyOf, TOKEN_TYPES, type StoredToken, type TokenMetadata, type TokenType } from '../../src/tokens/model.js';

export interface StoreUnderTest {
  /** A new handle on the same tokens, as another process would open it. */
  open(): Promise<SecretStore>;
  /** Removes every token, before each test. */
  reset(): Promise<void>;
  /** How many handles the concurrency test opens (each may cost a key derivation). */
  writers?: number;
}

const AT = '2026-11-26T10:00:00.000Z';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB' + 'A'.repeat(300) + '\n-----END CERTIFICATE-----\n';

const SECRETS: Record<TokenType, Record<string, string>> = {
  bearer: { token: 'SENTINEL-bearer' },
  'api-key': { key: 'sk-SENTINEL-api' },
  basic: { password: 'SENTINEL-pass word' },
  oauth: { accessToken: 'SENTINEL-AT', refreshToken: 'SENTINEL-RT' },
  generic: { value: 'SENTINEL-generic' },
  'client-cert': { cert: PEM, key: PEM.replace(/CERTIFICATE/g, 'PRIVATE KEY'), ca: PEM },
};

export function token(
  namespace: string,
  name: string,
  type: TokenType = 'bearer',
  extra: Partial<TokenMetadata> & { secret?: Record<string, string> } = {},
): StoredToken {
  const { secret, ...metadata } = extra;
  return { metadata: { name, namespace, type, createdAt: AT, updatedAt: AT, details: {}, ...metadata }, secret: secret ?? SECRETS[type] };
}

const sorted = (tokens: TokenMetadata[]) => [...tokens].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));

export function storeContract(name: string, setup: () => StoreUnderTest): void {
  describe(`SecretStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    const fresh = async () => {
      subject = setup();
      await subject.reset();
      return subject.open();
    };

    it('round-trips every token type with all its metadata', async () => {
      const store = await fresh();
      const all = TOKEN_TYPES.map((type) =>
        token(`ns-${type}`, `t-${type}`, type, {
          provider: type === 'api-key' ? 'openai' : undefined,
          expiresAt: '2027-01-31T00:00:00.000Z',
          details: { organization: 'org-1', username: 'alice' },
        }),
      ).map((t) => (t.metadata.provider === undefined ? { ...t, metadata: (({ provider: _, ...m }) => m)(t.metadata) as TokenMetadata } : t));
      for (const t of all) await store.put(t);
      for (const t of all) expect(await store.get(t.metadata)).toEqual(t);
      expect(sorted(await store.list())).toEqual(sorted(all.map((t) => t.metadata)));
    });

    it('lists metadata only, never a secret, and filters by namespace', async () => {
      const store = await fresh();
      await store.put(token('team', 'a'));
      await store.put(token('team', 'b', 'api-key'));
      await store.put(token('other', 'c', 'oauth'));
      const listed = await store.list();
      expect(JSON.stringify(listed)).not.toContain('SENTINEL');
      expect(listed.every((m) => !('secret' in m))).toBe(true);
      expect((await store.list('team')).map((m) => m.name).sort()).toEqual(['a', 'b']);
      expect(await store.list('nobody')).toEqual([]);
      if (store.keys) expect((await store.keys()).map(keyOf).sort()).toEqual(['other:c', 'team:a', 'team:b']);
    });

    it('keeps unicode names, namespaces, details and values exactly', async () => {
      const store = await fresh();
      const t = token('équipe-☕', 'clé-🔑-ключ', 'generic', { details: { note: 'Grüße, 世界' }, secret: { value: 'pässwörd 🔐 \u00e9\u0301 秘密' } });
      await store.put(t);
      expect(await store.get(t.metadata)).toEqual(t);
      expect(await store.list('équipe-☕')).toEqual([t.metadata]);
    });

    it('stores a large value (64 KiB) whole', async () => {
      const store = await fresh();
      const value = Array.from({ length: 65536 }, (_, i) => String.fromCharCode(33 + ((i * 7) % 90))).join('');
      const t = token('big', 'blob', 'generic', { secret: { value } });
      await store.put(t);
      expect((await (await subject.open()).get(t.metadata))?.secret.value).toBe(value);
    });

    it('replaces a token whole: new value and new metadata', async () => {
      const store = await fresh();
      await store.put(token('bearer', 'r', 'bearer', { provider: 'old', details: { a: '1' }, secret: { token: 'old-value' } }));
      const next = token('bearer', 'r', 'bearer', { updatedAt: '2026-11-27T00:00:00.000Z', details: { b: '2' }, secret: { token: 'new-value' } });
      await store.put(next);
      expect(await store.get(next.metadata)).toEqual(next);
      expect(await store.list()).toEqual([next.metadata]);
    });

    it('deletes only what exists, and reports exactly that', async () => {
      const store = await fresh();
      await store.put(token('bearer', 'keep'));
      await store.put(token('bearer', 'drop'));
      expect(
        await store.delete([
          { namespace: 'bearer', name: 'drop' },
          { namespace: 'bearer', name: 'never-was' },
        ]),
      ).toEqual([{ namespace: 'bearer', name: 'drop' }]);
      expect(await store.get({ namespace: 'bearer', name: 'drop' })).toBeUndefined();
      expect((await store.list()).map((m) => m.name)).toEqual(['keep']);
    });

    it('clears many tokens in one call', async () => {
      const store = await fresh();
      for (let i = 0; i < 12; i++) await store.put(token(`ns-${i % 3}`, `t-${i}`));
      const all = await store.list();
      expect((await store.delete(all)).map(keyOf).sort()).toEqual(all.map(keyOf).sort());
      expect(await store.list()).toEqual([]);
    });

    it('answers for missing tokens without an error', async () => {
      const store = await fresh();
      expect(await store.get({ namespace: 'bearer', name: 'missing' })).toBeUndefined();
      expect(await store.delete([{ namespace: 'bearer', name: 'missing' }])).toEqual([]);
      expect(await store.list()).toEqual([]);
    });

    it('loses nothing to concurrent writers of different tokens', async () => {
      await fresh();
      const writers = subject.writers ?? 10;
      const handles = await Promise.all(Array.from({ length: writers }, () => subject.open()));
      await Promise.all(handles.map((s, i) => s.put(token('team', `writer-${i}`, 'bearer', { secret: { token: `value-${i}` } }))));
      const reader = await subject.open();
      expect((await reader.list()).map((m) => m.name).sort()).toEqual(Array.from({ length: writers }, (_, i) => `writer-${i}`).sort());
      for (let i = 0; i < writers; i++) expect((await reader.get({ namespace: 'team', name: `writer-${i}` }))?.secret.token).toBe(`value-${i}`);
    });

    it('sees what another handle changed after it was opened (drift)', async () => {
      const first = await fresh();
      const second = await subject.open();
      await first.list();
      await second.put(token('bearer', 'late'));
      expect((await first.list()).map((m) => m.name)).toEqual(['late']);
      expect((await first.get({ namespace: 'bearer', name: 'late' }))?.secret.token).toBe('SENTINEL-bearer');
      await first.delete([{ namespace: 'bearer', name: 'late' }]);
      expect(await second.list()).toEqual([]);
      expect(await second.get({ namespace: 'bearer', name: 'late' })).toBeUndefined();
    });
  });
}
