import { describe, expect, it } from 'vitest';
import { resolveServers } from '../../src/config/resolve.js';
import { parseServerConfig } from '../../src/config/schema.js';
import type { StoredToken } from '../../src/tokens/model.js';
import { providerTarget } from '../../src/validation/providers.js';

const location = { path: '/tmp/server_config.json', source: '--config' };
const parse = (data: unknown) => parseServerConfig(data, location);

describe('tls, tokenExpiryWarning and tokenValidation in server_config.json', () => {
  it('reads a tls block on an HTTP entry and resolves its references, masked', async () => {
    const config = parse({
      mcpServers: {
        corp: { url: 'https://corp.test/mcp', tls: { cert: '${TOKEN:generic:m:cert}', key: '${TOKEN:generic:m:key}', ca: '${TOKEN:generic:m:ca}' } },
      },
    });
    const token: StoredToken = {
      metadata: { name: 'm', namespace: 'generic', type: 'client-cert', createdAt: '', updatedAt: '', expiresAt: '2099-01-01T00:00:00.000Z', details: {} },
      secret: { cert: 'CERT-PEM', key: 'KEY-PEM', ca: 'CA-PEM' },
    };
    const [server] = await resolveServers(config.servers, ['corp'], { lookup: async () => token, env: {}, now: new Date('2026-01-01') });
    expect(server!.entry).toMatchObject({ tls: { cert: 'CERT-PEM', key: 'KEY-PEM', ca: 'CA-PEM' } });
    expect(server!.masked).toMatchObject({ tls: { cert: '<TOKEN:generic:m:cert>', key: '<TOKEN:generic:m:key>', ca: '<TOKEN:generic:m:ca>' } });
    expect(server!.secrets).toContain('KEY-PEM');
    expect(server!.tokens.map((t) => t.name)).toEqual(['m']);
  });

  it('rejects tls on a stdio entry, a cert without its key, and unknown tls fields', () => {
    expect(() => parse({ mcpServers: { a: { command: 'x', tls: { ca: 'c' } } } })).toThrow('mcpServers.a: "tls" applies to HTTPS servers');
    expect(() => parse({ mcpServers: { a: { url: 'https://a.test', tls: { cert: 'c' } } } })).toThrow('mcpServers.a.tls: "cert" and "key" go together');
    expect(() => parse({ mcpServers: { a: { url: 'https://a.test', tls: { pfx: 'c' } } } })).toThrow('mcpServers.a.tls');
  });

  it('reads tokenExpiryWarning as a duration; 0 and off disable it', () => {
    expect(parse({ tokenExpiryWarning: '3d' }).tokenExpiryWarningMs).toBe(3 * 86_400_000);
    expect(parse({ tokenExpiryWarning: 'off' }).tokenExpiryWarningMs).toBe(0);
    expect(parse({}).tokenExpiryWarningMs).toBeUndefined();
    expect(() => parse({ tokenExpiryWarning: 7 })).toThrow('tokenExpiryWarning: expected a string');
  });

  it('reads tokenValidation providers and timeout; a base URL must be http(s)', () => {
    const config = parse({
      tokenValidation: { providers: { openai: { baseUrl: 'http://127.0.0.1:9/v1' }, gw: { baseUrl: 'https://gw.test', api: 'anthropic' } }, timeout: '30s' },
    });
    expect(config.tokenValidation).toEqual({
      providers: { openai: { baseUrl: 'http://127.0.0.1:9/v1' }, gw: { baseUrl: 'https://gw.test', api: 'anthropic' } },
      timeoutMs: 30_000,
    });
    expect(() => parse({ tokenValidation: { providers: { openai: { baseUrl: 'file:///etc/passwd' } } } })).toThrow('tokenValidation.providers.openai.baseUrl');
    expect(() => parse({ tokenValidation: { providers: { x: { api: 'cohere' } } } })).toThrow('expected one of "openai", "anthropic", "google"');
  });

  it('finds where a provider key is tested: configured first, then built in; unknown providers have none', () => {
    expect(providerTarget('OpenAI', {})).toEqual({ provider: 'openai', api: 'openai', baseUrl: 'https://api.openai.com/v1' });
    expect(providerTarget('gemini', {})).toEqual({ provider: 'gemini', api: 'google', baseUrl: 'https://generativelanguage.googleapis.com' });
    expect(providerTarget('anthropic', { anthropic: { baseUrl: 'http://127.0.0.1:1' } })).toEqual({
      provider: 'anthropic',
      api: 'anthropic',
      baseUrl: 'http://127.0.0.1:1',
    });
    expect(providerTarget('gw', { gw: { baseUrl: 'https://gw.test/v1', api: 'openai' } })).toEqual({
      provider: 'gw',
      api: 'openai',
      baseUrl: 'https://gw.test/v1',
    });
    expect(() => parse({ tokenValidation: { providers: { gw: { baseUrl: 'https://gw.test/v1' } } } })).toThrow('tokenValidation.providers.gw: "api" is needed');
    expect(providerTarget('toString', {})).toBeUndefined();
  });
});
