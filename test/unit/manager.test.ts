import { describe, expect, it } from 'vitest';
import { TokenManager } from '../../src/tokens/manager.js';
import { AmbiguousTokenError, TokenNotFoundError } from '../../src/errors.js';
import { MemoryStore } from '../helpers/memory-store.js';

function setup() {
  let now = new Date('2026-01-01T00:00:00Z');
  const store = new MemoryStore();
  const manager = new TokenManager(store, () => now);
  return { store, manager, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

/** A store that can tell which tokens exist more cheaply than by listing their metadata. */
class KeyedStore extends MemoryStore {
  listCalls = 0;
  override async list(namespace?: string) {
    this.listCalls++;
    return super.list(namespace);
  }
  async keys() {
    return [...this.tokens.values()].map((t) => ({ namespace: t.metadata.namespace, name: t.metadata.name }));
  }
}

describe('TokenManager', () => {
  it('finds the namespace of a value to read from the keys where the store has them, not from a listing', async () => {
    const store = new KeyedStore();
    const manager = new TokenManager(store);
    await manager.set({ name: 'gh', type: 'bearer', secret: { token: 't1' } });
    await manager.set({ name: 'both', type: 'bearer', secret: { token: 't2' } });
    await manager.set({ name: 'both', type: 'api-key', secret: { key: 'k2' } });
    store.listCalls = 0;
    expect((await manager.reveal('gh')).secret.token).toBe('t1');
    await expect(manager.reveal('both')).rejects.toBeInstanceOf(AmbiguousTokenError);
    await expect(manager.reveal('nope')).rejects.toThrow("token 'nope' not found in namespaces 'api-key', 'bearer'");
    expect(store.listCalls).toBe(0);
  });

  it('puts each type in its default namespace', async () => {
    const { manager } = setup();
    expect((await manager.set({ name: 'a', type: 'bearer', secret: { token: 't' } })).metadata.namespace).toBe('bearer');
    expect((await manager.set({ name: 'b', type: 'api-key', secret: { key: 'k' } })).metadata.namespace).toBe('api-key');
    expect((await manager.set({ name: 'c', type: 'generic', secret: { value: 'v' } })).metadata.namespace).toBe('generic');
    expect((await manager.set({ name: 'd', type: 'basic', secret: { password: 'p' }, details: { username: 'u' } })).metadata.namespace).toBe('generic');
  });

  it('keeps the creation time when a token is replaced', async () => {
    const { manager, advance } = setup();
    await manager.set({ name: 'a', type: 'bearer', secret: { token: 'one' } });
    advance(60_000);
    const { metadata, replaced } = await manager.set({ name: 'a', type: 'bearer', secret: { token: 'two' } });
    expect(replaced).toBe(true);
    expect(metadata.createdAt).toBe('2026-01-01T00:00:00.000Z');
    expect(metadata.updatedAt).toBe('2026-01-01T00:01:00.000Z');
    expect((await manager.reveal('a', 'bearer')).secret.token).toBe('two');
  });

  it('will not overwrite an OAuth token with a value: it is rotated by a refresh grant', async () => {
    const { manager } = setup();
    await manager.set({ name: 'notes', type: 'oauth', secret: { accessToken: 'at', refreshToken: 'rt' }, details: { issuer: 'https://as.example/' } });
    await expect(manager.rotate('notes', 'oauth', { accessToken: 'hand-made' })).rejects.toThrow(/renewed by a refresh grant/);
    expect((await manager.reveal('notes', 'oauth')).secret).toEqual({ accessToken: 'at', refreshToken: 'rt' });
  });

  it('records events that happen outside its methods, such as an OAuth login', async () => {
    const events: unknown[] = [];
    const manager = new TokenManager(new MemoryStore(), () => new Date(), { record: async (e) => void events.push(e) });
    await manager.recordEvent('login', { namespace: 'oauth', name: 'notes' }, { issuer: 'https://as.example/' });
    expect(events).toEqual([{ action: 'login', namespace: 'oauth', name: 'notes', backend: 'encrypted', detail: { issuer: 'https://as.example/' } }]);
  });

  it('refuses an empty value', async () => {
    const { manager } = setup();
    await expect(manager.set({ name: 'a', type: 'bearer', secret: { token: '' } })).rejects.toThrow(/non-empty value/);
  });

  it('finds a token in any namespace when only one has it', async () => {
    const { manager } = setup();
    await manager.set({ name: 'svc', type: 'bearer', namespace: 'team', secret: { token: 't' } });
    expect((await manager.describe('svc')).namespace).toBe('team');
  });

  it('never picks silently among several namespaces', async () => {
    const { manager } = setup();
    await manager.set({ name: 'svc', type: 'bearer', secret: { token: 't' } });
    await manager.set({ name: 'svc', type: 'bearer', namespace: 'team', secret: { token: 'u' } });
    const error = await manager.reveal('svc').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousTokenError);
    expect((error as AmbiguousTokenError).message).toContain('bearer, team');
    await expect(manager.delete('svc')).rejects.toBeInstanceOf(AmbiguousTokenError);
  });

  it('says where it looked when a token is missing', async () => {
    const { manager } = setup();
    await manager.set({ name: 'x', type: 'bearer', secret: { token: 't' } });
    await manager.set({ name: 'y', type: 'api-key', secret: { key: 'k' } });
    await expect(manager.describe('nope')).rejects.toThrow("token 'nope' not found in namespaces 'api-key', 'bearer'");
    await expect(manager.reveal('nope', 'team')).rejects.toBeInstanceOf(TokenNotFoundError);
  });

  it('a token missing from the namespace asked for names the namespaces that hold one of that name', async () => {
    const { manager } = setup();
    await manager.set({ name: 'openai', type: 'api-key', secret: { key: 'k' } });
    const error = (await manager.reveal('openai', 'bearer').catch((e: unknown) => e)) as TokenNotFoundError;
    expect(error.message).toBe("token 'openai' not found in namespace 'bearer'; a token of that name is in namespace 'api-key'");
    expect(error.elsewhere).toEqual(['api-key']);
    await expect(manager.describe('openai', 'oauth')).rejects.toThrow("a token of that name is in namespace 'api-key'");
    await expect(manager.reveal('other', 'bearer')).rejects.toThrow(/^token 'other' not found in namespace 'bearer'$/);
  });

  it('clears one namespace or everything', async () => {
    const { manager } = setup();
    await manager.set({ name: 'a', type: 'bearer', secret: { token: 't' } });
    await manager.set({ name: 'b', type: 'bearer', namespace: 'test', secret: { token: 't' } });
    await manager.set({ name: 'c', type: 'api-key', namespace: 'test', secret: { key: 'k' } });
    expect((await manager.clear('test')).map((m) => m.name)).toEqual(['b', 'c']);
    expect((await manager.list()).map((m) => m.name)).toEqual(['a']);
    expect(await manager.clear()).toHaveLength(1);
    expect(await manager.list()).toEqual([]);
  });

  it('lists sorted by namespace then name', async () => {
    const { manager } = setup();
    for (const [name, namespace] of [
      ['b', 'z'],
      ['a', 'z'],
      ['c', 'a'],
    ] as const)
      await manager.set({ name, namespace, type: 'generic', secret: { value: 'v' } });
    expect((await manager.list()).map((m) => `${m.namespace}/${m.name}`)).toEqual(['a/c', 'z/a', 'z/b']);
  });
});

describe('TokenManager as the only door to a store', () => {
  it('audits the reads and deletions of OAuth logins and registrations, as every other token', async () => {
    const events: { action: string; namespace?: string; name?: string; detail?: Record<string, unknown> }[] = [];
    const manager = new TokenManager(new MemoryStore(), () => new Date('2026-01-01T00:00:00Z'), { record: async (e) => void events.push(e) });
    const { readTokens, writeTokens, deleteTokens, readClient, writeClient, deleteClient } = await import('../../src/oauth/records.js');
    await writeTokens(manager, 'notes', {
      accessToken: 'SENTINEL-AT',
      refreshToken: 'SENTINEL-RT',
      tokenType: 'Bearer',
      issuer: 'https://as.example/',
      issuedAt: '2026-01-01T00:00:00Z',
      clientId: 'c1',
      grant: 'authorization_code',
    });
    await writeClient(manager, 'notes', { issuer: 'https://as.example/', kind: 'dcr', information: { client_id: 'c1' } });
    expect((await readTokens(manager, 'notes'))?.clientId).toBe('c1');
    expect((await readClient(manager, 'notes'))?.information.client_id).toBe('c1');
    expect(await deleteTokens(manager, 'notes', 'invalid_grant')).toBe(true);
    expect(await deleteClient(manager, 'notes', 'logout --forget-client')).toBe(true);
    expect(await deleteTokens(manager, 'notes', 'again')).toBe(false);
    expect(events.map((e) => [e.action, `${e.namespace}:${e.name}`, e.detail ?? {}])).toEqual([
      ['created', 'oauth:notes', {}],
      ['created', 'oauth-client:notes', {}],
      ['read', 'oauth:notes', { purpose: 'oauth' }],
      ['read', 'oauth-client:notes', { purpose: 'oauth' }],
      ['deleted', 'oauth:notes', { reason: 'invalid_grant' }],
      ['deleted', 'oauth-client:notes', { reason: 'logout --forget-client' }],
    ]);
    expect(JSON.stringify(events)).not.toContain('SENTINEL');
  });

  it('describes a token without reading it out, reveals it with an audited read', async () => {
    const events: string[] = [];
    const manager = new TokenManager(new MemoryStore(), () => new Date(), {
      record: async (e) => void events.push(`${e.action}:${(e.detail as { purpose?: string })?.purpose ?? ''}`),
    });
    await manager.set({ name: 'gh', type: 'bearer', secret: { token: 't' } });
    expect((await manager.describe('gh')).namespace).toBe('bearer');
    expect((await manager.describe('gh', 'bearer')).name).toBe('gh');
    expect(events).toEqual(['created:']);
    expect((await manager.reveal('gh')).secret.token).toBe('t');
    expect(events).toEqual(['created:', 'read:revealed']);
    expect(manager.backend).toBe('encrypted');
    expect(manager.location).toBe('memory');
  });
});
