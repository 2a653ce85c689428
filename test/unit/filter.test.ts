import { describe, expect, it } from 'vitest';
import { matchesFilter, typesFromSwitches } from '../../src/tokens/filter.js';
import type { TokenMetadata } from '../../src/tokens/model.js';

const sorted = (s: Set<string> | undefined) => (s ? [...s].sort() : s);

describe('typesFromSwitches', () => {
  it('applies no filter without switches', () => {
    expect(typesFromSwitches({})).toBeUndefined();
  });
  it('--no-oauth --api-keys shows only API keys', () => {
    expect(sorted(typesFromSwitches({ oauth: false, apiKeys: true }))).toEqual(['api-key']);
  });
  it('--bearer --no-api-keys shows only bearer tokens', () => {
    expect(sorted(typesFromSwitches({ bearer: true, apiKeys: false }))).toEqual(['bearer']);
  });
  it('--no-oauth alone shows every other type', () => {
    expect(sorted(typesFromSwitches({ oauth: false }))).toEqual(['api-key', 'basic', 'bearer', 'client-cert', 'generic']);
  });
  it('several positive switches combine', () => {
    expect(sorted(typesFromSwitches({ bearer: true, oauth: true }))).toEqual(['bearer', 'oauth']);
  });
});

describe('matchesFilter', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const token = (over: Partial<TokenMetadata>): TokenMetadata => ({
    name: 'n',
    namespace: 'bearer',
    type: 'bearer',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    details: {},
    ...over,
  });

  it('filters expired and expiring tokens', () => {
    const expired = token({ expiresAt: '2026-05-01T00:00:00Z' });
    const soon = token({ expiresAt: '2026-06-03T00:00:00Z' });
    const later = token({ expiresAt: '2027-01-01T00:00:00Z' });
    const never = token({});
    expect([expired, soon, later, never].map((t) => matchesFilter(t, { expired: true }, now))).toEqual([true, false, false, false]);
    expect([expired, soon, later, never].map((t) => matchesFilter(t, { expiringWithinMs: 7 * 86_400_000 }, now))).toEqual([true, true, false, false]);
  });

  it('filters by namespace and type', () => {
    expect(matchesFilter(token({}), { namespace: 'bearer', types: new Set(['bearer']) }, now)).toBe(true);
    expect(matchesFilter(token({}), { namespace: 'team' }, now)).toBe(false);
    expect(matchesFilter(token({}), { types: new Set(['api-key']) }, now)).toBe(false);
  });
});
