// Enterprise-managed authorization (SEP-990, ID-JAG) end to end: one sign-in to an OpenID provider on
// 127.0.0.1 (PKCE, nonce), whose ID token that provider exchanges (RFC 8693) for identity assertion
// grants that two real authorization servers take as jwt-bearer grants (RFC 7523), each grant's
// signature, typ, audience, client and resource verified. No browser per server; the ID token is
// renewed with the refresh token; `auth logout --idp` ends it all; nothing secret shows anywhere.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { ID_JAG_TYPE, ID_TOKEN_TYPE, startIdp, TOKEN_EXCHANGE, type Idp } from '../helpers/idp-server.js';
import { createOAuthSandbox, filesContaining, filesWithSentinel, sandboxTokenStore } from '../helpers/oauth-cli.js';
import { JWT_BEARER_GRANT, type JwtBearerTrust } from '../helpers/oauth-grants.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

const SECRETS = { notes: `${SENTINEL}-NOTES-CS`, wiki: `${SENTINEL}-WIKI-CS` };

describe('enterprise-managed authorization ("idp": true)', () => {
  let idp: Idp;
  const servers: Record<'notes' | 'wiki', OAuthServers> = {} as never;
  let sandbox: Sandbox;
  let entryFor: (name: 'notes' | 'wiki') => { url: string; oauth: Record<string, unknown> };
  const outputs: string[] = [];
  const run = async (args: string[], input?: string) => {
    const result = await sandbox.run(args, input !== undefined ? { input } : {});
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const exchanges = () => idp.requests.filter((r) => r.path === '/token' && r.body.grant_type === TOKEN_EXCHANGE);
  const setIdTokenExpiry = async (at: Date) => {
    const store = await sandboxTokenStore(sandbox);
    const stored = (await store.get({ namespace: 'oauth-idp', name: 'idp' }))!;
    await store.put({ ...stored, metadata: { ...stored.metadata, expiresAt: at.toISOString() } });
  };

  beforeAll(async () => {
    const audiences: Record<string, string> = {};
    idp = await startIdp({ clientId: 'mcp-cli-corp', audiences });
    const trust: JwtBearerTrust = { issuers: [{ issuer: idp.issuer, key: idp.key.publicKey }], idJag: true };
    for (const name of ['notes', 'wiki'] as const) {
      servers[name] = await startOAuthServers({ jwtBearer: trust });
      audiences[servers[name].issuer] = `${name}-app`;
      await servers[name].provider.clientsStore.registerClient!({
        client_id: `${name}-app`,
        client_secret: SECRETS[name],
        redirect_uris: [],
        grant_types: [JWT_BEARER_GRANT],
        token_endpoint_auth_method: 'client_secret_basic',
      });
    }
    entryFor = (name: 'notes' | 'wiki') => ({
      url: servers[name].mcpUrl,
      oauth: { idp: true, clientId: `${name}-app`, clientSecret: `\${TOKEN:generic:${name}-secret}`, issuer: servers[name].issuer },
    });
    sandbox = await createOAuthSandbox({});
    await writeOwnConfig(sandbox.home, {
      idp: { issuer: idp.issuer, clientId: 'mcp-cli-corp' },
      mcpServers: { notes: entryFor('notes'), wiki: entryFor('wiki') },
    });
    for (const name of ['notes', 'wiki'] as const)
      expect((await run(['token', 'set', `${name}-secret`, '--type', 'generic', '--value', '-'], SECRETS[name])).code).toBe(0);
  });
  afterAll(async () => {
    await Promise.all([idp?.close(), servers.notes?.close(), servers.wiki?.close()]);
    await sandbox?.cleanup();
  });

  it('before the sign-in, a server riding on the identity provider asks for it (exit 4), and nothing is sent', async () => {
    const result = await run(['call', 'notes', 'whoami']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('you are not signed in to your identity provider; run mcp-cli auth idp login');
    expect(exchanges()).toEqual([]);
  });

  it('auth idp login: OpenID Connect with PKCE S256, state and nonce; a refresh token is asked for', async () => {
    const result = await run(['auth', 'idp', 'login']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`✓ Signed in to your identity provider ${idp.issuer} as alice@example.com`);
    const status = await run(['auth', 'status']);
    expect(status.stderr).toContain(`Identity provider: ${idp.issuer} (signed in as alice@example.com); servers riding on it: none`);
    const [authorize] = idp.requests.filter((r) => r.path === '/authorize');
    expect(authorize!.query).toMatchObject({ response_type: 'code', client_id: 'mcp-cli-corp', code_challenge_method: 'S256', scope: 'openid offline_access' });
    expect(authorize!.query.nonce).toMatch(/^[\w-]{43}$/);
    const [redeem] = idp.requests.filter((r) => r.body.grant_type === 'authorization_code');
    expect(redeem!.body.code_verifier).toMatch(/^[\w-]{43}$/);
  });

  it('each server gets its token through an ID-JAG, with no browser of its own', async () => {
    for (const name of ['notes', 'wiki'] as const) {
      const call = await run(['call', name, 'whoami']);
      expect(call.code, call.stderr).toBe(0);
      expect(call.stdout.trim()).toBe(`hello ${name}-app`);
      const exchange = exchanges().at(-1)!;
      expect(exchange.body).toEqual({
        grant_type: TOKEN_EXCHANGE,
        requested_token_type: ID_JAG_TYPE,
        subject_token: idp.issued[0],
        subject_token_type: ID_TOKEN_TYPE,
        audience: servers[name].issuer,
        resource: servers[name].mcpUrl,
        scope: 'mcp:tools',
        client_id: 'mcp-cli-corp',
      });
      const [grant] = servers[name].bearerGrants;
      expect(grant).toMatchObject({
        answer: 'tokens',
        clientId: `${name}-app`,
        header: { typ: 'oauth-id-jag+jwt' },
        claims: { iss: idp.issuer, sub: 'alice@example.com' },
      });
      const request = servers[name].requests.find((r) => r.path === '/token')!;
      expect(request.authorization).toBe(`Basic ${Buffer.from(`${name}-app:${SECRETS[name]}`).toString('base64')}`);
      expect(JSON.parse(request.body)).toMatchObject({ grant_type: JWT_BEARER_GRANT, resource: servers[name].mcpUrl });
      expect(servers[name].counters.authorize + servers[name].counters.register).toBe(0);
    }
    expect(idp.requests.filter((r) => r.path === '/authorize')).toHaveLength(1);
  });

  it('auth status shows which servers ride on the identity provider', async () => {
    const one = await run(['auth', 'status', 'notes']);
    expect(one.stdout).toContain('identity assertion grant (your identity provider login, ID-JAG)');
    expect(one.stdout).toContain(`Rides on:  your identity provider ${idp.issuer} (mcp-cli auth logout --idp ends it)`);
    const all = await run(['auth', 'status']);
    expect(all.stderr).toContain(`Identity provider: ${idp.issuer} (signed in as alice@example.com); servers riding on it: 'notes', 'wiki'`);
    expect(JSON.parse((await run(['auth', 'status', 'wiki', '--json'])).stdout)).toMatchObject({ grant: 'id_jag', idpIssuer: idp.issuer, canRefresh: true });
  });

  it("a project's idp block is never used, even in an approved file: the provider comes from your own config", async () => {
    const repo = join(sandbox.home, 'repo');
    await mkdir(repo, { recursive: true });
    const elsewhere = 'http://127.0.0.1:9/evil-idp';
    await writeFile(
      join(repo, 'server_config.json'),
      JSON.stringify({
        idp: { issuer: elsewhere, clientId: 'phish' },
        mcpServers: { project: { ...entryFor('notes'), oauth: { ...entryFor('notes').oauth } } },
      }),
    );
    const trust = await sandbox.run(['config', 'trust'], { cwd: repo, input: 'y\n' });
    outputs.push(trust.stdout, trust.stderr);
    expect(trust.code, trust.stderr).toBe(0);
    expect(trust.stdout + trust.stderr).toContain('enterprise identity provider:');
    expect(trust.stdout + trust.stderr).toContain('not used from this file');
    const before = exchanges().length;
    const call = await sandbox.run(['call', 'project', 'whoami'], { cwd: repo });
    outputs.push(call.stdout, call.stderr);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stderr).toContain('is not used: mcp-cli takes the identity provider from your own config only');
    expect(exchanges().length - before).toBe(1);
  });

  it('an ID token about to expire is renewed with the refresh token before it is exchanged', async () => {
    await setIdTokenExpiry(new Date(Date.now() + 30_000));
    servers.notes.provider.expireAccessTokens();
    const call = await run(['call', 'notes', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
    const refreshes = idp.requests.filter((r) => r.body.grant_type === 'refresh_token');
    expect(refreshes).toHaveLength(1);
    expect(exchanges().at(-1)!.body.subject_token).toBe(idp.issued.at(-3));
    expect(exchanges().at(-1)!.body.subject_token).not.toBe(idp.issued[0]);
  });

  it('a provider that ended the session: exit 4 asking for auth idp login, no loop', async () => {
    idp.revokeAll();
    await setIdTokenExpiry(new Date(Date.now() - 1000));
    servers.wiki.provider.expireAccessTokens();
    const before = idp.requests.length;
    const result = await run(['call', 'wiki', 'whoami']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('your identity provider refused to renew your login');
    expect(result.stderr).toContain('run mcp-cli auth idp login');
    expect(idp.requests.length - before).toBe(2);
  });

  it('--id-token-stdin stores an ID token of this provider for this client, and refuses any other', async () => {
    const wrong = await run(['auth', 'idp', 'login', '--id-token-stdin'], idp.idToken({ aud: 'someone-else' }));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('the ID token is not for the client mcp-cli-corp (idp.clientId); it was not stored');
    const good = await run(['auth', 'idp', 'login', '--id-token-stdin'], idp.idToken());
    expect(good.code, good.stderr).toBe(0);
    const call = await run(['call', 'wiki', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
  });

  it('auth logout --idp ends the sign-in and every login riding on it', async () => {
    const result = await run(['auth', 'logout', '--idp']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("✓ Signed out of your identity provider, and logged out of 'notes', 'project', 'wiki'");
    expect((await run(['auth', 'status', 'notes'])).code).toBe(4);
    const call = await run(['call', 'notes', 'whoami']);
    expect(call.code).toBe(4);
    expect(call.stderr).toContain('run mcp-cli auth idp login');
    expect((await run(['auth', 'logout', '--idp'])).code).toBe(1);
  });

  it('never shows an ID token, an ID-JAG, a refresh token, a secret or an access token: outputs, files, audit log', async () => {
    const audit = await run(['token', 'audit', '--json']);
    expect(audit.stdout).toContain('id_jag');
    const signatures = idp.issued.map((t) => (t.includes('.') ? t.split('.')[2]! : t));
    expect(signatures.length).toBeGreaterThan(4);
    for (const text of outputs) {
      expect(text).not.toContain(`${SENTINEL}-`);
      for (const signature of signatures) expect(text).not.toContain(signature);
    }
    expect(await filesWithSentinel(sandbox.home)).toEqual([]);
    expect(await filesContaining(sandbox.home, signatures)).toEqual([]);
  });
});
