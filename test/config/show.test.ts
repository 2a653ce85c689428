import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeLiteral } from '../../src/config/references.js';
import { resolveServers } from '../../src/config/resolve.js';
import type { ServerEntry } from '../../src/config/schema.js';
import { renderResolved } from '../../src/commands/config/show.js';
import { keyOf, type StoredToken } from '../../src/tokens/model.js';

const now = new Date('2026-06-01T00:00:00Z');
const bearer = (name: string, token: string): StoredToken => ({
  metadata: { namespace: 'bearer', name, type: 'bearer', createdAt: now.toISOString(), updatedAt: now.toISOString(), details: {} },
  secret: { token },
});

describe('config show output', () => {
  it('never contains a resolved value, in either form (property)', async () => {
    const secret = fc.string({ minLength: 1, maxLength: 16 }).map((s) => `S3CR3T${s}`);
    const literal = fc.string({ maxLength: 8 });
    const template = fc.array(fc.tuple(literal, fc.nat(2)), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(fc.tuple(secret, secret, secret), template, template, template, async (values, a, b, c) => {
        const tokens = new Map(values.map((v, i) => bearer(`t${i}`, v)).map((t) => [keyOf(t.metadata), t]));
        const render = (pieces: [string, number][]) => pieces.map(([text, i]) => `${escapeLiteral(text, true)}\${TOKEN:bearer:t${i}}`).join('');
        const servers: Record<string, ServerEntry> = {
          http: { transport: 'streamable-http', url: `https://x.test/${render(a)}`, headers: { Authorization: render(b) }, oauth: { clientSecret: render(c) } },
          stdio: { transport: 'stdio', command: 'node', args: [render(a)], env: { K: render(b) }, cwd: render(c) },
        };
        const resolved = await resolveServers(servers, ['http', 'stdio'], { lookup: async (k) => tokens.get(keyOf(k)), env: {}, now });
        for (const json of [true, false]) {
          const shown = renderResolved(resolved, '/cfg.json', json);
          // JSON escapes some characters: compare against both spellings.
          for (const v of values) {
            expect(shown).not.toContain(v);
            expect(shown).not.toContain(JSON.stringify(v).slice(1, -1));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('hides a client secret written literally in the file', async () => {
    const [server] = await resolveServers(
      { s: { transport: 'streamable-http', url: 'https://x.test', headers: {}, oauth: { clientId: 'id', clientSecret: 'literal-secret' } } },
      ['s'],
      {
        lookup: async () => undefined,
        env: {},
        now,
      },
    );
    const shown = renderResolved([server!], '/cfg.json', false);
    expect(shown).toContain('"clientSecret":"<hidden>"');
    expect(shown).not.toContain('literal-secret');
  });
});
