// The pure parts of the 2026-07-28 flows: scope choice and step-up unions, the issuer identity rule,
// the resource indicator, pasted answers, client assertions, and the config checks of the new settings.
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/config/schema.js';
import { assertionKey, clientAssertion, ASSERTION_LIFETIME_S } from '../../src/oauth/client-assertion.js';
import { devicePolling, slowedDown } from '../../src/oauth/device.js';
import { metadataNamesIssuer, resourceIndicator } from '../../src/oauth/discovery.js';
import { LoginRequiredError, scrub } from '../../src/oauth/errors.js';
import { parsePasted } from '../../src/oauth/paste-back.js';
import { chooseScope, scopesHeld, scopeUnion } from '../../src/oauth/scopes.js';
import type { AuthorizationServerMetadata } from '@modelcontextprotocol/client';

const metadata = (scopes?: string[]) =>
  ({
    issuer: 'https://as.example/',
    authorization_endpoint: 'https://as.example/authorize',
    token_endpoint: 'https://as.example/token',
    response_types_supported: ['code'],
    ...(scopes ? { scopes_supported: scopes } : {}),
  }) as AuthorizationServerMetadata;

describe('scopes', () => {
  it('asks for what the user set, else the challenge, else the resource metadata, adding offline_access only when the user set none', () => {
    const m = metadata(['mcp:tools', 'offline_access']);
    const resourceMetadata = { resource: 'https://mcp.example/mcp', scopes_supported: ['mcp:tools'] };
    expect(chooseScope({ metadata: m, resourceMetadata, refreshable: true })).toBe('mcp:tools offline_access');
    expect(chooseScope({ metadata: m, challenge: 'files:read', resourceMetadata, refreshable: true })).toBe('files:read offline_access');
    expect(chooseScope({ metadata: m, configured: ['a', 'b'], refreshable: true })).toBe('a b');
    expect(chooseScope({ metadata: m, requested: 'x  y x', configured: ['a'], refreshable: true })).toBe('x y');
    // Client credentials need no refresh token.
    expect(chooseScope({ metadata: m, resourceMetadata, refreshable: false })).toBe('mcp:tools');
    // A server that does not list offline_access is not asked for it; nothing at all leaves the scope out.
    expect(chooseScope({ metadata: metadata(['mcp:tools']), refreshable: true })).toBeUndefined();
    expect(chooseScope({ metadata: metadata(['offline_access']), refreshable: true })).toBe('offline_access');
  });

  it('steps up to the union of the scopes held and those challenged', () => {
    expect(scopeUnion('mcp:tools offline_access', 'admin:write mcp:tools')).toBe('mcp:tools offline_access admin:write');
    expect(scopeUnion(undefined, 'a')).toBe('a');
    expect(scopeUnion('', '')).toBeUndefined();
    expect(scopesHeld('a b c', 'c a')).toBe(true);
    expect(scopesHeld('a b', 'a d')).toBe(false);
    expect(scopesHeld(undefined, 'a')).toBe(false);
  });

  it('names the command with --scope, quoted for a shell', () => {
    expect(new LoginRequiredError('notes', 'needs more', 'mcp:tools admin:write').message).toBe(
      "needs more; run mcp-cli auth login notes --scope 'mcp:tools admin:write'",
    );
    expect(new LoginRequiredError('notes', 'r', "it's").message).toContain(`--scope 'it'\\''s'`);
    expect(new LoginRequiredError('notes', 'r', 'read').message).toMatch(/--scope read$/);
  });
});

describe('issuer identity (RFC 8414 section 3.3)', () => {
  it('requires the issuer fetched for, allowing only the empty path spelled "/"', () => {
    expect(metadataNamesIssuer('https://as.example/', 'https://as.example/')).toBe(true);
    expect(metadataNamesIssuer('https://as.example', 'https://as.example/')).toBe(true);
    expect(metadataNamesIssuer('https://as.example/tenant', 'https://as.example/tenant')).toBe(true);
    expect(metadataNamesIssuer('https://as.example/tenant', 'https://as.example/tenant/')).toBe(false);
    expect(metadataNamesIssuer('https://as.example/tenant', 'https://as.example/other')).toBe(false);
    expect(metadataNamesIssuer('https://as.example/', 'https://evil.example/')).toBe(false);
    expect(metadataNamesIssuer('https://as.example/?x=1', 'https://as.example/')).toBe(false);
  });
});

describe('resource indicator (RFC 8707)', () => {
  it("is the protected resource metadata's resource verbatim when it covers the server, else the server URL", () => {
    expect(resourceIndicator('https://mcp.example/mcp', undefined)).toBe('https://mcp.example/mcp');
    expect(resourceIndicator('https://mcp.example/', undefined)).toBe('https://mcp.example');
    expect(resourceIndicator('https://mcp.example/mcp#x', undefined)).toBe('https://mcp.example/mcp');
    expect(resourceIndicator('https://mcp.example/mcp', 'https://mcp.example')).toBe('https://mcp.example');
    expect(() => resourceIndicator('https://mcp.example/mcp', 'https://evil.example/mcp')).toThrow(/refusing it/);
  });
});

describe('messages from authorization servers', () => {
  it('lose every secret, as written and form- or URL-encoded, and the raw body the SDK quotes', () => {
    const secret = 'sec ret/+=&value';
    const echoed = `bad request: grant_type=refresh_token&client_secret=${new URLSearchParams({ s: secret }).toString().slice(2)}&x=${encodeURIComponent(secret)} ${secret}`;
    const scrubbed = scrub(echoed, [secret, undefined]);
    expect(scrubbed).toBe('bad request: grant_type=refresh_token&client_secret=[redacted]&x=[redacted] [redacted]');
    expect(scrub(`HTTP 400: Invalid OAuth error response: SyntaxError. Raw body: client_secret=${secret}`, [])).toBe(
      'HTTP 400: Invalid OAuth error response: SyntaxError (its answer is not shown)',
    );
  });
});

describe('device polling (RFC 8628 section 3.5)', () => {
  it("follows the server's interval and expiry within bounds: at most a poll a second, a code of at most an hour", () => {
    expect(devicePolling({ interval: 7, expires_in: 900 })).toEqual({ intervalS: 7, expiresInS: 900 });
    expect(devicePolling({ expires_in: 600 })).toEqual({ intervalS: 5, expiresInS: 600 });
    expect(devicePolling({ interval: 0.000001, expires_in: 1e300 })).toEqual({ intervalS: 1, expiresInS: 3600 });
    expect(devicePolling({ interval: 1e10, expires_in: 900 }).intervalS).toBe(300);
    expect(slowedDown(1)).toBe(6);
    expect(slowedDown(299)).toBe(300);
  });
});

describe('pasted answers', () => {
  it('takes a redirected URL, its query, CODE#STATE, or a bare code; nothing else', () => {
    const url = parsePasted('http://127.0.0.1:4567/callback?code=abc&state=s1&iss=https%3A%2F%2Fas.example%2F');
    expect(url?.bare).toBe(false);
    expect(Object.fromEntries(url!.params)).toEqual({ code: 'abc', state: 's1', iss: 'https://as.example/' });
    expect(Object.fromEntries(parsePasted('?code=abc&state=s1')!.params)).toEqual({ code: 'abc', state: 's1' });
    expect(parsePasted('abcdef#s1')).toEqual({ params: new URLSearchParams({ code: 'abcdef', state: 's1' }), bare: false });
    expect(parsePasted('Splx1OBeZQQYbYS6WxSbIA')).toEqual({ params: new URLSearchParams({ code: 'Splx1OBeZQQYbYS6WxSbIA' }), bare: true });
    for (const line of ['not a url', 'https://as.example/authorize?client_id=x', '', 'abc']) expect(parsePasted(line), JSON.stringify(line)).toBeUndefined();
  });
});

describe('client assertions (RFC 7523)', () => {
  const now = new Date('2026-08-01T10:00:00Z');
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;

  it.each([
    ['ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['RS256', generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ] as const)('signs %s assertions that verify, with the claims a token endpoint checks', (alg, pair) => {
    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = assertionKey(pem, 'ci');
    expect(key.alg).toBe(alg);
    const a = clientAssertion(key, { clientId: 'ci-bot', audience: 'https://as.example/', keyId: 'k1', now });
    const b = clientAssertion(key, { clientId: 'ci-bot', audience: 'https://as.example/', now });
    const [h, p, s] = a.split('.') as [string, string, string];
    expect(decode(h)).toEqual({ alg, typ: 'JWT', kid: 'k1' });
    const claims = decode(p);
    expect(claims).toMatchObject({ iss: 'ci-bot', sub: 'ci-bot', aud: 'https://as.example/', iat: now.getTime() / 1000 });
    expect(claims.exp).toBe((claims.iat as number) + ASSERTION_LIFETIME_S);
    expect(decode(b.split('.')[1]!).jti).not.toBe(claims.jti);
    const publicKey = createPublicKey(pem);
    expect(
      verify('sha256', Buffer.from(`${h}.${p}`), alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey, Buffer.from(s, 'base64url')),
    ).toBe(true);
  });

  it('refuses keys it cannot sign RS256 or ES256 with, without quoting them', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => assertionKey(small, 'ci')).toThrow(/at least 2048 bits/);
    expect(() => assertionKey(p384, 'ci')).toThrow(/P-256/);
    expect(() => assertionKey('-----BEGIN PRIVATE KEY-----\nSENTINEL\n-----END PRIVATE KEY-----', 'ci')).toThrow(
      /^oauth\.privateKey of 'ci' is not a PEM private key$/,
    );
  });
});

describe('oauth settings in server_config.json', () => {
  const parse = (oauth: object) =>
    parseServerConfig({ mcpServers: { ci: { url: 'https://mcp.example/mcp', oauth } } }, { path: '/c.json', source: '--config' });
  it('accepts client credentials with a secret or a key, and resource: false', () => {
    expect(parse({ grant: 'client_credentials', clientId: 'c', clientSecret: '${TOKEN:generic:s}' }).servers.ci).toMatchObject({
      oauth: { grant: 'client_credentials', clientId: 'c' },
    });
    expect(
      parse({ grant: 'client_credentials', clientId: 'c', privateKey: '${TOKEN:generic:k}', keyId: 'k1', assertionAudience: 'token_endpoint' }).servers.ci,
    ).toMatchObject({ oauth: { privateKey: '${TOKEN:generic:k}', assertionAudience: 'token_endpoint' } });
    expect(parse({ resource: false }).servers.ci).toMatchObject({ oauth: { resource: false } });
  });
  it.each([
    [{ grant: 'password' }, 'mcpServers.ci.oauth.grant: expected one of "authorization_code", "client_credentials"'],
    [{ grant: 'client_credentials', clientSecret: 's' }, 'mcpServers.ci.oauth: "grant": "client_credentials" needs "clientId"'],
    [{ grant: 'client_credentials', clientId: 'c' }, 'needs "clientSecret" or "privateKey"'],
    [{ grant: 'client_credentials', clientId: 'c', clientSecret: 's', privateKey: 'k' }, '"clientSecret" and "privateKey" are two ways'],
    [{ grant: 'client_credentials', clientId: 'c', clientSecret: 's', callbackPort: 8080 }, '"callbackPort" does not apply to "grant": "client_credentials"'],
    [{ clientId: 'c', privateKey: 'k' }, 'mcpServers.ci.oauth: "privateKey" is used with "grant": "client_credentials"'],
    [{ clientId: 'c', keyId: 'k1' }, '"keyId" applies only with "privateKey"'],
    [{ resource: 'no' }, 'mcpServers.ci.oauth.resource: expected a boolean'],
  ])('refuses %j naming the path', (oauth, message) => {
    expect(() => parse(oauth)).toThrow(message);
  });
});
