import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeLiteral } from '../../src/config/references.js';
import { resolveServers, type TokenLookup } from '../../src/config/resolve.js';
import type { ServerEntry } from '../../src/config/schema.js';
import { CliError } from '../../src/errors.js';
import { keyOf, type StoredToken, type TokenType } from '../../src/tokens/model.js';

const now = new Date('2026-06-01T00:00:00Z');

function token(
  namespace: string,
  name: string,
  type: TokenType,
  secret: Record<string, string>,
  extra: { expiresAt?: string; details?: Record<string, string> } = {},
): StoredToken {
  return {
    metadata: {
      namespace,
      name,
      type,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      details: extra.details ?? {},
      ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}),
    },
    secret,
  };
}

function storeOf(tokens: StoredToken[]): { lookup: TokenLookup; reads: string[] } {
  const reads: string[] = [];
  const byKey = new Map(tokens.map((t) => [keyOf(t.metadata), t]));
  return { reads, lookup: async (key) => (reads.push(keyOf(key)), byKey.get(keyOf(key))) };
}

const tokens = [
  token('bearer', 'api', 'bearer', { token: 'BEARER-SENTINEL' }),
  token('api-key', 'openai', 'api-key', { key: 'KEY-SENTINEL' }),
  token('generic', 'corp', 'basic', { password: 'PASS-SENTINEL' }, { details: { username: 'alice' } }),
  token('oauth', 'notion', 'oauth', { accessToken: 'ACCESS-SENTINEL', refreshToken: 'REFRESH-SENTINEL' }),
  token('generic', 'notion', 'generic', { value: 'ACCESS-SENTINEL' }),
  token('imported', 'notion', 'oauth', { accessToken: 'ACCESS-SENTINEL', refreshToken: 'REFRESH-SENTINEL' }),
  token('bearer', 'old', 'bearer', { token: 'OLD-SENTINEL' }, { expiresAt: '2026-01-01T00:00:00Z' }),
];

async function resolve(servers: Record<string, ServerEntry>, env: Record<string, string> = {}) {
  const store = storeOf(tokens);
  const resolved = await resolveServers(servers, Object.keys(servers), { lookup: store.lookup, env, now });
  return { resolved, reads: store.reads };
}

async function failure(servers: Record<string, ServerEntry>, env: Record<string, string> = {}): Promise<CliError> {
  try {
    await resolve(servers, env);
  } catch (error) {
    return error as CliError;
  }
  throw new Error('expected resolution to fail');
}

const http = (headers: Record<string, string>, url = 'https://example.test/mcp'): ServerEntry => ({ transport: 'streamable-http', url, headers });
const stdio = (fields: Partial<Extract<ServerEntry, { transport: 'stdio' }>>): ServerEntry => ({
  transport: 'stdio',
  command: 'node',
  args: [],
  env: {},
  ...fields,
});

describe('resolveServers', () => {
  it('substitutes references inside strings, several per string, in every field', async () => {
    const { resolved } = await resolve(
      {
        h: http(
          { Authorization: 'Bearer ${TOKEN:bearer:api}', 'X-Both': '${TOKEN:api-key:openai}/${TOKEN:bearer:api}' },
          'https://example.test/${TOKEN:generic:notion}/mcp',
        ),
        // Without a stored token, a variable may decide the command and directory (test/config/destination.test.ts).
        s: stdio({ command: '${NODE_BIN:-node}', args: ['--region=${REGION:-eu}'], env: { HOME_DIR: '${HOME}', LIT: '$${HOME}' }, cwd: '${HOME}/x' }),
        t: stdio({ command: 'acme-server', args: ['--key=${TOKEN:api-key:openai}', '--home=${HOME}'] }),
      },
      { HOME: '/home/u' },
    );
    expect(resolved[0]!.entry).toEqual({
      transport: 'streamable-http',
      url: 'https://example.test/ACCESS-SENTINEL/mcp',
      headers: { Authorization: 'Bearer BEARER-SENTINEL', 'X-Both': 'KEY-SENTINEL/BEARER-SENTINEL' },
    });
    expect(resolved[1]!.entry).toEqual({
      transport: 'stdio',
      command: 'node',
      args: ['--region=eu'],
      env: { HOME_DIR: '/home/u', LIT: '${HOME}' },
      cwd: '/home/u/x',
    });
    expect(resolved[2]!.entry).toEqual({ transport: 'stdio', command: 'acme-server', args: ['--key=KEY-SENTINEL', '--home=/home/u'], env: {} });
    expect(resolved[0]!.masked).toEqual({
      transport: 'streamable-http',
      url: 'https://example.test/<TOKEN:generic:notion>/mcp',
      headers: { Authorization: 'Bearer <TOKEN:bearer:api>', 'X-Both': '<TOKEN:api-key:openai>/<TOKEN:bearer:api>' },
    });
    expect(resolved[0]!.secrets).toEqual(expect.arrayContaining(['BEARER-SENTINEL', 'KEY-SENTINEL', 'ACCESS-SENTINEL']));
  });

  it('refuses a reference to an OAuth login or client registration in any field, before reading anything', async () => {
    for (const [entry, field, ref] of [
      [http({ Authorization: 'Bearer ${TOKEN:oauth:notion}' }), 'headers.Authorization', '${TOKEN:oauth:notion}'],
      [http({ 'X-Refresh': '${TOKEN:oauth:notion:refreshToken}' }), 'headers.X-Refresh', '${TOKEN:oauth:notion:refreshToken}'],
      [http({}, 'https://example.test/?c=${TOKEN:oauth-client:notion}'), 'url', '${TOKEN:oauth-client:notion}'],
      [stdio({ env: { T: '${TOKEN:oauth:notion}' } }), 'env.T', '${TOKEN:oauth:notion}'],
    ] as const) {
      const store = storeOf(tokens);
      const error = await resolveServers({ other: entry }, ['other'], { lookup: store.lookup, env: {}, now }).catch((e: CliError) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).message).toBe(
        `server 'other', ${field}: ${ref} refers to an OAuth login; its tokens and client registration are sent only to the server that logged in, by mcp-cli's OAuth login, never through a reference`,
      );
      expect(store.reads).toEqual([]);
    }
  });

  it('refuses OAuth namespaces whatever their case', async () => {
    for (const ref of ['${TOKEN:OAuth:notion}', '${TOKEN:OAUTH-CLIENT:notion}']) {
      const error = await failure({ other: http({ A: ref }) });
      expect(error.message).toContain('refers to an OAuth login');
    }
  });

  it('refuses an OAuth token stored in another namespace', async () => {
    const error = await failure({ other: http({ A: '${TOKEN:imported:notion}' }) });
    expect(error.message).toContain(
      "server 'other', headers.A: ${TOKEN:imported:notion}: it is an OAuth token, which only the OAuth login of the server it was issued to sends",
    );
    expect(error.message).not.toContain('SENTINEL');
  });

  it('reads each distinct token once however often it is referenced', async () => {
    const servers: Record<string, ServerEntry> = {};
    for (let i = 0; i < 10; i++) servers[`s${i}`] = http({ A: '${TOKEN:bearer:api}', B: '${TOKEN:bearer:api} ${TOKEN:api-key:openai}' });
    const { reads } = await resolve(servers);
    expect(reads.sort()).toEqual(['api-key:openai', 'bearer:api']);
  });

  it('does not read the store when nothing references a token', async () => {
    const { reads } = await resolve({ s: stdio({ env: { A: '${HOME:-x}' } }) });
    expect(reads).toEqual([]);
  });

  it('yields fields of basic credentials, and a whole Basic header value', async () => {
    const { resolved } = await resolve({
      b: http({
        U: '${TOKEN:generic:corp:username}',
        P: '${TOKEN:generic:corp:password}',
        Authorization: 'Basic ${TOKEN:generic:corp:basic}',
        D: '${TOKEN:generic:corp}',
      }),
    });
    const headers = (resolved[0]!.entry as { headers: Record<string, string> }).headers;
    expect(headers).toEqual({
      U: 'alice',
      P: 'PASS-SENTINEL',
      Authorization: `Basic ${Buffer.from('alice:PASS-SENTINEL').toString('base64')}`,
      D: 'PASS-SENTINEL',
    });
    expect(resolved[0]!.secrets).toContain('PASS-SENTINEL');
    expect(resolved[0]!.secrets).not.toContain('alice');
  });

  it('a missing token is exit 4 naming server, field and reference', async () => {
    const error = await failure({ web: http({ Authorization: 'Bearer ${TOKEN:bearer:nope}' }) });
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain("server 'web', headers.Authorization: ${TOKEN:bearer:nope}: no such token");
  });

  it.each([
    ['X-Key: ${TOKEN:api-key:x}', 'headers', 'mcp-cli token set x --type api-key --namespace api-key'],
    ['${TOKEN:provider:x}', 'headers', 'mcp-cli token set x --type api-key --namespace provider'],
    ['Bearer ${TOKEN:bearer:x}', 'headers', 'mcp-cli token set x --type bearer --namespace bearer'],
    ['Bearer ${TOKEN:team:x}', 'headers', 'mcp-cli token set x --type bearer --namespace team'],
    ['${TOKEN:team:x}', 'env', 'mcp-cli token set x --type generic --namespace team'],
    ['${TOKEN:generic:x:password}', 'headers', 'mcp-cli token set x --type basic --username USER --namespace generic'],
  ])('the fix offered for a missing %s (in %s) stores the type it needs', async (template, place, command) => {
    const entry = place === 'env' ? stdio({ env: { K: template } }) : http({ A: template });
    const error = await failure({ s: entry });
    expect(error.message).toContain(`no such token (store it: ${command})`);
  });

  it('an expired token is exit 4', async () => {
    const error = await failure({ web: http({ Authorization: 'Bearer ${TOKEN:bearer:old}' }) });
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain('expired at 2026-01-01');
    expect(error.message).not.toContain('OLD-SENTINEL');
  });

  it('a malformed reference is exit 1 and no token is read', async () => {
    const store = storeOf(tokens);
    const servers = { a: http({ A: '${TOKEN:bearer:api}' }), b: stdio({ args: ['${TOKEN:bearer}'] }) };
    await expect(resolveServers(servers, ['a', 'b'], { lookup: store.lookup, env: {}, now })).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringContaining("server 'b', args[0]: malformed reference"),
    });
    expect(store.reads).toEqual([]);
  });

  it('an unset variable without default is exit 1; several problems are listed together', async () => {
    const error = await failure({ a: stdio({ env: { X: '${UNSET_VAR}', Y: '${TOKEN:bearer:nope}', Z: '${TOKEN:bearer:api:password}' } }) });
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('3 references cannot be resolved');
    expect(error.message).toContain('environment variable UNSET_VAR is not set');
    expect(error.message).toContain("has no field 'password' (it has: basic, token)");
    expect(error.message).not.toContain('BEARER-SENTINEL');
  });

  it('an empty variable is used as is, unless a default is given', async () => {
    const { resolved } = await resolve({ a: stdio({ env: { X: '${EMPTY}', Y: '${EMPTY:-d}' } }) }, { EMPTY: '' });
    expect((resolved[0]!.entry as { env: Record<string, string> }).env).toEqual({ X: '', Y: 'd' });
  });

  it('never puts a resolved value into the masked entry (property)', async () => {
    const secret = fc.string({ minLength: 1, maxLength: 12 }).map((s) => `SENTINEL<${s}>`);
    const literal = fc.string({ maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(fc.array(secret, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(literal, fc.nat(3)), { maxLength: 6 }), async (values, pieces) => {
        const stored = values.map((v, i) => token('bearer', `t${i}`, 'bearer', { token: v }));
        const byKey = new Map(stored.map((t) => [keyOf(t.metadata), t]));
        const template = pieces.map(([text, i]) => `${escapeLiteral(text, true)}\${TOKEN:bearer:t${i % values.length}}`).join('');
        const [server] = await resolveServers({ s: http({ H: template }, `https://x.test/${template}`) }, ['s'], {
          lookup: async (k) => byKey.get(keyOf(k)),
          env: {},
          now,
        });
        const shown = JSON.stringify(server!.masked);
        for (const v of values) expect(shown).not.toContain(v);
        const expected = pieces.map(([text, i]) => text + values[i % values.length]).join('');
        expect((server!.entry as { headers: Record<string, string> }).headers.H).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
