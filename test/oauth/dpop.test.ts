// DPoP (RFC 9449, SEP-1932) end to end against real servers on 127.0.0.1: the authorization server binds
// tokens to the key of each token request's proof, and the MCP server (the SDK v2's, behind the check
// in test/helpers/dpop-checks.ts) verifies a proof with every request: signature, htm, htu, iat, jti
// (replays refused), ath, the server's nonce, and the key against the token's binding. A token copied
// out of the store is useless alone; no key, proof or token shows anywhere outside the store.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpopProof, generateDpopKey, readDpopKey } from '../../src/oauth/dpop.js';
import type { Sandbox } from '../helpers/cli.js';
import { thumbprint } from '../helpers/dpop-checks.js';
import { createOAuthSandbox, filesContaining, sandboxTokenStore } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'thief', version: '1' } },
});

/** What the store holds for a login, read through the store's own API. */
async function storedLogin(sandbox: Sandbox, name: string) {
  const store = await sandboxTokenStore(sandbox);
  const token = await store.get({ namespace: 'oauth', name });
  if (!token) throw new Error(`no login stored for ${name}`);
  return token;
}

/** An MCP request as anyone holding a copy of the token could send it. */
function postMcp(servers: OAuthServers, headers: Record<string, string>) {
  return fetch(servers.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: INITIALIZE,
  });
}

const tokenProofs = (servers: OAuthServers) => servers.dpop.proofs.filter((p) => p.where === 'token');
const mcpProofs = (servers: OAuthServers) => servers.dpop.proofs.filter((p) => p.where === 'mcp');
const grantTypes = (servers: OAuthServers) =>
  servers.requests.filter((r) => r.path === '/token').map((r) => (JSON.parse(r.body) as { grant_type?: string }).grant_type);

describe('DPoP: a login bound to a key of its own', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  let browserRecord: string;
  const outputs: string[] = [];
  const run = async (args: string[]) => {
    const result = await sandbox.run(args, { env: { FOLLOW_RECORD: browserRecord } });
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  beforeAll(async () => {
    servers = await startOAuthServers({ dpop: {} });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: {} } });
    browserRecord = join(sandbox.home, 'browser-record.jsonl');
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('auth login binds the code and the tokens to a new ES256 key, kept in the store with the login; status shows the binding, never the key', async () => {
    const login = await run(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain('DPoP-bound); tokens stored in the encrypted backend');

    const stored = await storedLogin(sandbox, 'notes');
    const { alg, jwk } = JSON.parse(stored.secret.dpopKey!) as { alg: string; jwk: Record<string, string> };
    expect(alg).toBe('ES256');
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(jwk.d).toMatch(/^[\w-]{43}$/);
    const { d: _private, ...publicJwk } = jwk;
    const jkt = thumbprint(publicJwk);
    expect(stored.metadata.details).toMatchObject({ tokenType: 'DPoP', dpopAlg: 'ES256', dpopJkt: jkt });

    // The authorization request bound the code to the key (RFC 9449 section 10), and the token request proved it.
    expect(servers.dpop.authorizeJkts).toEqual([jkt]);
    expect(tokenProofs(servers)).toHaveLength(1);
    expect(tokenProofs(servers)[0]).toMatchObject({ jkt, claims: { htm: 'POST', htu: `${servers.origin}/token` } });
    expect(tokenProofs(servers)[0]!.refused).toBeUndefined();

    const status = JSON.parse((await run(['auth', 'status', 'notes', '--json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ senderConstrained: true, dpop: { alg: 'ES256', jkt } });
    const text = await run(['auth', 'status', 'notes']);
    expect(text.stdout).toContain(`DPoP:      sender-constrained: bound to a ES256 key (thumbprint ${jkt}) kept with the login`);
    const table = await run(['auth', 'status']);
    // Piped: tab-separated, no header; DPOP is the column after REFRESH.
    expect(table.stdout.trim().split('\t')).toEqual([
      'notes',
      servers.issuer,
      'authorization_code',
      'mcp:tools',
      expect.any(String),
      'yes',
      'yes',
      'encrypted',
    ]);
    const details = await run(['token', 'get', 'notes', '--oauth']);
    expect(details.stdout).toContain(`tokenType=DPoP`);
    expect(details.stdout).toContain(`dpopJkt=${jkt}`);
  });

  it('call presents the token with the DPoP scheme and a fresh proof bound to it on every request, which the server accepts', async () => {
    const before = mcpProofs(servers).length;
    const call = await run(['call', 'notes', 'whoami', '--args', '{"greeting":"hi"}']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout).toMatch(/^hi [\w-]+\n$/);
    const proofs = mcpProofs(servers).slice(before);
    expect(proofs.length).toBeGreaterThanOrEqual(2);
    expect(proofs.filter((p) => p.refused)).toEqual([]);
    expect(new Set(proofs.map((p) => p.claims!.jti)).size).toBe(proofs.length);
    expect(new Set(proofs.map((p) => p.jkt))).toEqual(new Set([servers.dpop.authorizeJkts[0]]));
    for (const p of proofs) expect(p.claims).toMatchObject({ htu: servers.mcpUrl, ath: expect.any(String) });
    expect(servers.dpop.refusals).toEqual([]);
  });

  it('a stolen token is refused: sent bare as Bearer, with no proof, with a proof of another key, or with a replayed proof; a fresh proof of its own key gets in', async () => {
    const stored = await storedLogin(sandbox, 'notes');
    const token = stored.secret.accessToken!;
    const refusals = servers.dpop.refusals.length;

    const bare = await postMcp(servers, { authorization: `Bearer ${token}` });
    expect(bare.status).toBe(401);
    const noProof = await postMcp(servers, { authorization: `DPoP ${token}` });
    expect(noProof.status).toBe(401);
    const thief = generateDpopKey();
    const otherKey = await postMcp(servers, {
      authorization: `DPoP ${token}`,
      dpop: dpopProof(thief, { htm: 'POST', htu: servers.mcpUrl, accessToken: token }),
    });
    expect(otherKey.status).toBe(401);
    const replayed = mcpProofs(servers).findLast((p) => !p.refused && p.claims?.htm === 'POST')!;
    const replay = await postMcp(servers, { authorization: `DPoP ${token}`, dpop: replayed.proof });
    expect(replay.status).toBe(401);
    expect(servers.dpop.refusals.slice(refusals)).toEqual([
      'a DPoP-bound token presented as Bearer',
      'no DPoP proof',
      'the proof is signed by another key than the token is bound to',
      'jti replayed',
    ]);

    // The check is real: with the key (which only the store holds), the same token works.
    const own = readDpopKey(stored.secret.dpopKey!, 'notes');
    const answered = await postMcp(servers, { authorization: `DPoP ${token}`, dpop: dpopProof(own, { htm: 'POST', htu: servers.mcpUrl, accessToken: token }) });
    expect(answered.status).toBe(200);
    await answered.body?.cancel();
  });

  it('refresh keeps the key: after the server expires the token, the refresh grant is proved with the same key and a new bound token works', async () => {
    const before = await storedLogin(sandbox, 'notes');
    servers.provider.expireAccessTokens();
    const call = await run(['call', 'notes', 'whoami', '--args', '{}']);
    expect(call.code, call.stderr).toBe(0);
    expect(servers.counters.refreshGrant).toBe(1);
    const refresh = tokenProofs(servers).at(-1)!;
    expect(refresh).toMatchObject({ jkt: before.metadata.details.dpopJkt, claims: { htm: 'POST' } });
    expect(refresh.refused).toBeUndefined();
    const after = await storedLogin(sandbox, 'notes');
    expect(after.secret.accessToken).not.toBe(before.secret.accessToken);
    expect(after.secret.dpopKey).toBe(before.secret.dpopKey);
    expect(after.metadata.details).toMatchObject({ tokenType: 'DPoP', dpopJkt: before.metadata.details.dpopJkt });
  });

  it('a stored key that is damaged asks for a new login (exit 4), quoting nothing of it', async () => {
    const store = await sandboxTokenStore(sandbox);
    const good = await storedLogin(sandbox, 'notes');
    await store.put({ ...good, secret: { ...good.secret, dpopKey: `${SENTINEL}-damaged` } });
    try {
      const call = await run(['call', 'notes', 'whoami', '--args', '{}']);
      expect(call.code).toBe(4);
      expect(call.stderr).toContain(`the DPoP key stored with the login of 'notes' is damaged`);
      expect(call.stderr).toContain('mcp-cli auth login notes');
    } finally {
      await store.put(good);
    }
  });

  it('no private key, proof or token in any output, file outside the store, or the browser started for the login', async () => {
    const stored = await storedLogin(sandbox, 'notes');
    const privateKey = (JSON.parse(stored.secret.dpopKey!) as { jwk: { d: string } }).jwk.d;
    const proofs = servers.dpop.proofs.map((p) => p.proof).filter(Boolean);
    expect(proofs.length).toBeGreaterThan(5);
    const needles = [`${SENTINEL}-`, privateKey, ...proofs];
    for (const text of outputs) for (const needle of needles) expect(text).not.toContain(needle);
    expect(await filesContaining(sandbox.home, needles)).toEqual([]);
    const record = await readFile(browserRecord, 'utf8');
    expect(record.trim().split('\n')).toHaveLength(1);
    for (const needle of [...needles, stored.metadata.details.dpopJkt!]) expect(record).not.toContain(needle);
  });
});

describe('DPoP nonces: both servers require their own, and rotate them', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const outputs: string[] = [];
  // Each command its own process: it starts knowing no nonce, as a new mcp-cli does.
  const spawn = async (args: string[]) => {
    const result = await sandbox.spawn(args);
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  beforeAll(async () => {
    servers = await startOAuthServers({ dpop: { asNonce: true, rsNonce: true }, accessTokenTtl: 3600 });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: {} } });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('the token request is retried once with the authorization server nonce (use_dpop_nonce), with a fresh proof', async () => {
    const login = await spawn(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
    expect(servers.dpop.asNonceChallenges).toBe(1);
    const [first, second] = tokenProofs(servers);
    expect(first).toMatchObject({ refused: 'nonce missing or stale' });
    expect(second).toMatchObject({ claims: { nonce: expect.any(String) } });
    expect(second!.refused).toBeUndefined();
    expect(second!.claims!.jti).not.toBe((JSON.parse(Buffer.from(first!.proof.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti);
    expect(grantTypes(servers)).toEqual(['authorization_code', 'authorization_code']);
  });

  it('the MCP server nonce is asked for once, then remembered for its origin for the rest of the process', async () => {
    const call = await spawn(['call', 'notes', 'whoami', '--args', '{}']);
    expect(call.code, call.stderr).toBe(0);
    expect(servers.dpop.rsNonceChallenges).toBe(1);
    const accepted = mcpProofs(servers).filter((p) => !p.refused);
    expect(accepted.length).toBeGreaterThanOrEqual(2);
    expect(new Set(accepted.map((p) => p.claims!.nonce)).size).toBe(1);
    // The authorization server's nonce never went to the MCP server, nor the other way round.
    expect(accepted[0]!.claims!.nonce).not.toBe(tokenProofs(servers).at(-1)!.claims!.nonce);
  });

  it('after both servers rotate their nonces, a refresh and a call each meet one challenge and succeed', async () => {
    servers.dpop.rotateNonces();
    servers.provider.expireAccessTokens();
    const call = await spawn(['call', 'notes', 'whoami', '--args', '{}']);
    expect(call.code, call.stderr).toBe(0);
    expect(servers.counters.refreshGrant).toBe(1);
    expect(servers.dpop.asNonceChallenges).toBe(2);
    expect(servers.dpop.rsNonceChallenges).toBeGreaterThanOrEqual(2);
    expect(servers.dpop.refusals.filter((r) => r !== 'a nonce is required' && r !== 'unknown or expired access token')).toEqual([]);
  });

  it('no token, key or proof in any output or file', async () => {
    const stored = await storedLogin(sandbox, 'notes');
    const needles = [`${SENTINEL}-`, (JSON.parse(stored.secret.dpopKey!) as { jwk: { d: string } }).jwk.d, ...servers.dpop.proofs.map((p) => p.proof)];
    for (const text of outputs) for (const needle of needles) expect(text).not.toContain(needle);
    expect(await filesContaining(sandbox.home, needles)).toEqual([]);
  });
});

describe('an authorization server that issues Bearer tokens to a DPoP request', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;

  beforeAll(async () => {
    servers = await startOAuthServers({ dpop: { bearerDespiteProof: true } });
    sandbox = await createOAuthSandbox({ lax: { url: servers.mcpUrl, oauth: {} }, strict: { url: servers.mcpUrl, oauth: { dpop: true } } });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('by default the tokens are kept and used as Bearer, and said not to be sender-constrained; refreshes still prove the key the refresh token is bound to', async () => {
    const login = await sandbox.run(['auth', 'login', 'lax']);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain(
      '! The authorization server issued Bearer tokens though they were asked for with a DPoP key: they are not sender-constrained',
    );
    const status = JSON.parse((await sandbox.run(['auth', 'status', 'lax', '--json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ senderConstrained: false, dpop: { alg: 'ES256' } });
    const all = await sandbox.run(['auth', 'status']);
    expect(all.stderr).toContain(`! Not sender-constrained (the authorization server issued Bearer tokens to a DPoP request): 'lax'`);
    expect((await sandbox.run(['call', 'lax', 'whoami', '--args', '{}'])).code).toBe(0);
    expect(mcpProofs(servers)).toEqual([]);

    servers.provider.expireAccessTokens();
    const call = await sandbox.run(['call', 'lax', 'whoami', '--args', '{}']);
    expect(call.code, call.stderr).toBe(0);
    expect(servers.counters.refreshGrant).toBe(1);
    const refresh = tokenProofs(servers).at(-1)!;
    expect(refresh).toMatchObject({ jkt: (status.dpop as { jkt: string }).jkt, claims: { htm: 'POST' } });
    expect(refresh.refused).toBeUndefined();
  });

  it('with "dpop": true they are refused and not stored', async () => {
    const login = await sandbox.run(['auth', 'login', 'strict']);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain(`issued a Bearer token though oauth.dpop is true; it was not stored`);
    expect((await sandbox.run(['auth', 'status', 'strict'])).code).toBe(4);
  });
});

describe('oauth.dpop, and the algorithms a server offers', () => {
  let dpopServers: OAuthServers;
  let plainServers: OAuthServers;
  let psServers: OAuthServers;
  let edServers: OAuthServers;
  let sandbox: Sandbox;

  beforeAll(async () => {
    [dpopServers, plainServers, psServers, edServers] = await Promise.all([
      startOAuthServers({ dpop: {} }),
      startOAuthServers({}),
      startOAuthServers({ dpop: { algs: ['PS256', 'HS256'] } }),
      startOAuthServers({ dpop: { algs: ['EdDSA'], resourceRequires: true } }),
    ]);
    sandbox = await createOAuthSandbox({
      off: { url: dpopServers.mcpUrl, oauth: { dpop: false } },
      required: { url: plainServers.mcpUrl, oauth: { dpop: true } },
      ps: { url: psServers.mcpUrl, oauth: {} },
      ed: { url: edServers.mcpUrl, oauth: { dpop: true } },
    });
  });
  afterAll(async () => {
    await Promise.all([dpopServers, plainServers, psServers, edServers].map((s) => s?.close()));
    await sandbox?.cleanup();
  });

  it('"dpop": false sends no proof and gets Bearer tokens; then "dpop": true refuses to send that login (exit 4, log in again)', async () => {
    expect((await sandbox.run(['auth', 'login', 'off'])).code).toBe(0);
    expect(tokenProofs(dpopServers)).toEqual([]);
    expect(dpopServers.dpop.authorizeJkts).toEqual([]);
    expect((await storedLogin(sandbox, 'off')).metadata.details.tokenType).toBe('Bearer');
    expect((await sandbox.run(['call', 'off', 'whoami', '--args', '{}'])).code).toBe(0);

    const config = join(sandbox.home, '.config', 'mcp-cli', 'server_config.json');
    const text = await readFile(config, 'utf8');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(config, text.replace('"dpop": false', '"dpop": true'));
    try {
      const unauthorized = dpopServers.counters.unauthorized;
      const call = await sandbox.run(['call', 'off', 'whoami', '--args', '{}']);
      expect(call.code).toBe(4);
      expect(call.stderr).toContain(`oauth.dpop of 'off' is true, and its login is not bound to a DPoP key; run mcp-cli auth login off`);
      expect(dpopServers.counters.unauthorized).toBe(unauthorized);
    } finally {
      await writeFile(config, text);
    }
  });

  it('"dpop": true with an authorization server that offers no DPoP is a clear error before any grant', async () => {
    const login = await sandbox.run(['auth', 'login', 'required']);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain(
      `oauth.dpop is true, and the authorization server ${plainServers.origin}/ of 'required' offers no DPoP algorithm mcp-cli signs with (ES256, ES384, ES512, EdDSA, PS256, RS256): it advertises no dpop_signing_alg_values_supported`,
    );
    expect(plainServers.counters.authorize).toBe(0);
    expect(plainServers.counters.codeGrant).toBe(0);
  });

  it('a server that offers PS256 only (and a symmetric algorithm mcp-cli never uses) gets a PS256 key; one that offers EdDSA an Ed25519 key', async () => {
    for (const [name, servers, alg, kty] of [
      ['ps', psServers, 'PS256', 'RSA'],
      ['ed', edServers, 'EdDSA', 'OKP'],
    ] as const) {
      const login = await sandbox.run(['auth', 'login', name]);
      expect(login.code, login.stderr).toBe(0);
      const stored = await storedLogin(sandbox, name);
      expect(JSON.parse(stored.secret.dpopKey!)).toMatchObject({ alg, jwk: { kty } });
      const call = await sandbox.run(['call', name, 'whoami', '--args', '{}']);
      expect(call.code, call.stderr).toBe(0);
      expect(servers.dpop.proofs.filter((p) => p.refused)).toEqual([]);
      expect(servers.dpop.proofs.length).toBeGreaterThanOrEqual(3);
    }
  });
});
