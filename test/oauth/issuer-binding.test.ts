// A client secret or private key registered with one authorization server goes to that server only,
// named in the config (`oauth.issuer`), never to whichever one the MCP server names. Two real
// authorization servers on 127.0.0.1: the client is registered with the first, and the MCP server's
// protected resource metadata points at the second, which must never see the secret (a sentinel)
// or an assertion signed with the key, whatever the grant.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, recordingRunner } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

const SECRET = `${SENTINEL}-CS-issuer-41c7`;
const CC = 'client_credentials';
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('a configured client secret or key is bound to oauth.issuer', () => {
  let registered: OAuthServers;
  let other: OAuthServers;
  let sandbox: Sandbox;
  const { outputs, run } = recordingRunner(() => sandbox);

  /** Everything the other authorization server received, as one text. */
  const seenByOther = () => JSON.stringify(other.requests);
  const postsToOther = () => other.requests.filter((r) => r.method === 'POST');

  beforeAll(async () => {
    [registered, other] = await Promise.all([startOAuthServers({ clientCredentials: true }), startOAuthServers({ clientCredentials: true })]);
    const store = registered.provider.clientsStore;
    await store.registerClient!({
      client_id: 'ci',
      client_secret: SECRET,
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: [CC, 'authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    await store.registerClient!({
      client_id: 'ci-key',
      redirect_uris: [],
      grant_types: [CC],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: 'k1' }] },
    });
    const secret = '${TOKEN:generic:ci-secret}';
    sandbox = await createOAuthSandbox({
      unpinned: { url: registered.mcpUrl, oauth: { grant: CC, clientId: 'ci', clientSecret: secret } },
      'unpinned-key': { url: registered.mcpUrl, oauth: { grant: CC, clientId: 'ci-key', privateKey: '${TOKEN:generic:ci-key}', keyId: 'k1' } },
      'unpinned-code': { url: registered.mcpUrl, oauth: { clientId: 'ci', clientSecret: secret } },
      pinned: { url: registered.mcpUrl, oauth: { grant: CC, clientId: 'ci', clientSecret: secret, issuer: registered.issuer } },
    });
    for (const [name, value] of [
      ['ci-secret', SECRET],
      ['ci-key', key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
    ] as const)
      expect((await run(['token', 'set', name, '--type', 'generic', '--value', '-'], { input: value })).code).toBe(0);
    // The MCP server now names the other authorization server (compromised, or misconfigured).
    registered.useAuthorizationServer(other);
  });
  afterAll(async () => {
    await Promise.all([registered?.close(), other?.close()]);
    await sandbox?.cleanup();
  });

  it('client credentials without oauth.issuer: refused before anything is sent, with the field to add', async () => {
    for (const args of [
      ['auth', 'login', 'unpinned'],
      ['call', 'unpinned', 'whoami'],
    ]) {
      const result = await run(args);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(
        `'unpinned' has a client secret (oauth.clientSecret) but no oauth.issuer naming the authorization server it belongs to; nothing was sent to ${other.issuer}, the one the server names`,
      );
      expect(result.stderr).toContain(
        `hint: if the client 'ci' is registered with ${other.issuer}, add "issuer": "${other.issuer}" to the oauth block of 'unpinned'`,
      );
    }
    expect(postsToOther()).toEqual([]);
    expect(seenByOther()).not.toContain(SENTINEL);
  });

  it('a private key without oauth.issuer: no assertion is signed for the other server', async () => {
    const result = await run(['auth', 'login', 'unpinned-key']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`'unpinned-key' has a private key (oauth.privateKey) but no oauth.issuer`);
    expect(postsToOther()).toEqual([]);
    expect(other.assertions).toEqual([]);
  });

  it('a browser login with a configured secret and no oauth.issuer: refused before the browser opens', async () => {
    const result = await run(['auth', 'login', 'unpinned-code']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`'unpinned-code' has a client secret (oauth.clientSecret) but no oauth.issuer`);
    expect(result.stderr).not.toContain('open this URL');
    expect(other.counters.authorize).toBe(0);
    expect(postsToOther()).toEqual([]);
    expect(seenByOther()).not.toContain(SENTINEL);
  });

  it('with oauth.issuer: the other server is refused, and the registered one gets the secret once the server names it again', async () => {
    const refused = await run(['call', 'pinned', 'whoami']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`oauth.issuer says its client is registered with ${registered.issuer}; nothing was sent to it`);
    expect(postsToOther()).toEqual([]);
    expect(seenByOther()).not.toContain(SENTINEL);

    registered.useAuthorizationServer(registered);
    const call = await run(['call', 'pinned', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout.trim()).toBe('hello ci');
    const grant = registered.requests.find((r) => r.path === '/token');
    expect(grant?.authorization).toBe(`Basic ${Buffer.from(`ci:${SECRET}`).toString('base64')}`);
  });

  it('never shows the secret in any output', () => {
    for (const text of outputs) expect(text).not.toContain(SENTINEL);
  });
});
