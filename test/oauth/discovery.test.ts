// Authorization server discovery as the MCP spec (2025-11-25, 2026-07-28) orders it, against a server
// on 127.0.0.1 that records which well-known URLs were asked for: RFC 8414 with path insertion, then
// OpenID Connect with path insertion, then OpenID Connect appended; a document whose issuer is not
// the one it was fetched for is not used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatcher, type Catcher } from '../helpers/catcher.js';
import { discover } from '../../src/oauth/discovery.js';

let server: Catcher;
/** Path → JSON document; anything else is a 404. */
let documents: Record<string, object> = {};

beforeAll(async () => {
  server = await startCatcher((req) => {
    const doc = documents[new URL(req.url, 'http://x').pathname];
    return doc ? { status: 200, body: JSON.stringify(doc) } : { status: 404 };
  });
});
afterAll(async () => {
  await server.close();
});

const asMetadata = (issuer: string) => ({
  issuer,
  authorization_endpoint: `${server.origin}/authorize`,
  token_endpoint: `${server.origin}/token`,
  response_types_supported: ['code'],
  code_challenge_methods_supported: ['S256'],
  jwks_uri: `${server.origin}/jwks`,
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
});

const target = () => ({ name: 'notes', url: `${server.origin}/mcp` });
const prm = (issuer: string) => ({ '/.well-known/oauth-protected-resource/mcp': { resource: `${server.origin}/mcp`, authorization_servers: [issuer] } });
const wellKnown = () => server.requests.map((r) => r.url).filter((u) => u.includes('/.well-known/') && !u.includes('oauth-protected-resource'));

describe('authorization server metadata discovery', () => {
  it('tries RFC 8414 then OpenID Connect, with path insertion before appending, and uses the first document found', async () => {
    const issuer = `${server.origin}/tenant1`;
    documents = { ...prm(issuer), '/tenant1/.well-known/openid-configuration': asMetadata(issuer) };
    server.requests.length = 0;
    const found = await discover(target(), undefined);
    expect(found.issuer).toBe(issuer);
    expect(found.resource).toBe(`${server.origin}/mcp`);
    expect(wellKnown()).toEqual([
      '/.well-known/oauth-authorization-server/tenant1',
      '/.well-known/openid-configuration/tenant1',
      '/tenant1/.well-known/openid-configuration',
    ]);
  });

  it('for an issuer without a path: RFC 8414, then OpenID Connect', async () => {
    const issuer = server.origin;
    documents = { ...prm(issuer), '/.well-known/openid-configuration': asMetadata(issuer) };
    server.requests.length = 0;
    expect((await discover(target(), undefined)).issuer).toBe(issuer);
    expect(wellKnown()).toEqual(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']);
  });

  it('refuses a document whose issuer is not identical to the one it was fetched for', async () => {
    const issuer = `${server.origin}/tenant1`;
    for (const claimed of [`${server.origin}/tenant1/`, `${server.origin}/tenant2`, 'https://evil.example/tenant1']) {
      documents = { ...prm(issuer), '/.well-known/oauth-authorization-server/tenant1': asMetadata(claimed) };
      await expect(discover(target(), undefined), claimed).rejects.toThrow(/names another issuer .*refusing it \(RFC 8414 section 3\.3\)/);
    }
  });

  it('leaves the resource indicator out with "resource": false', async () => {
    const issuer = `${server.origin}/tenant1`;
    documents = { ...prm(issuer), '/.well-known/oauth-authorization-server/tenant1': asMetadata(issuer) };
    expect((await discover({ ...target(), oauth: { resource: false } }, undefined)).resource).toBeUndefined();
  });

  it('sends nothing to an authorization server other than the one oauth.issuer names', async () => {
    const issuer = `${server.origin}/tenant1`;
    documents = { ...prm(issuer), '/.well-known/oauth-authorization-server/tenant1': asMetadata(issuer) };
    await expect(discover({ ...target(), oauth: { issuer: `${server.origin}/corp` } }, undefined)).rejects.toThrow(
      /names the authorization server .*\/tenant1, but oauth\.issuer says its client is registered with .*\/corp; nothing was sent to it/,
    );
  });
});
