// DPoP (RFC 9449) with the grants that need no browser, against real servers on 127.0.0.1 that require
// the authorization server's nonce: the client credentials grant (a new grant keeps the key) and the
// device authorization grant (every poll carries a fresh proof).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, filesContaining, sandboxTokenStore } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

const SECRET = `${SENTINEL}-CS-dpop`;
const HEADLESS = { BROWSER: undefined, MCP_CLI_BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };

describe('DPoP with the client credentials and device grants', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const outputs: string[] = [];
  const run = async (args: string[], env: Record<string, string | undefined> = {}) => {
    const result = await sandbox.run(args, { env });
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const tokenProofs = () => servers.dpop.proofs.filter((p) => p.where === 'token');
  const stored = async (name: string) => (await (await sandboxTokenStore(sandbox)).get({ namespace: 'oauth', name }))!;

  beforeAll(async () => {
    servers = await startOAuthServers({ dpop: { asNonce: true }, clientCredentials: true, device: { interval: 1 } });
    await servers.provider.clientsStore.registerClient!({
      client_id: 'ci-dpop',
      client_secret: SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [],
      grant_types: ['client_credentials'],
      scope: 'mcp:tools',
    });
    sandbox = await createOAuthSandbox({
      machine: {
        url: servers.mcpUrl,
        oauth: { grant: 'client_credentials', issuer: servers.issuer, clientId: 'ci-dpop', clientSecret: '${TOKEN:generic:ci-dpop}' },
      },
      device: { url: servers.mcpUrl, oauth: {} },
    });
    const set = await sandbox.run(['token', 'set', 'ci-dpop', '--type', 'generic', '--value', '-'], { input: SECRET });
    expect(set.code, set.stderr).toBe(0);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('client credentials: the grant is proved (after the nonce challenge), the token is DPoP-bound, and a new grant keeps the key', async () => {
    const call = await run(['call', 'machine', 'whoami', '--args', '{}']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout).toBe('hello ci-dpop\n');
    const first = await stored('machine');
    expect(first.metadata.details).toMatchObject({ tokenType: 'DPoP', grant: 'client_credentials', dpopAlg: 'ES256' });
    const jkt = first.metadata.details.dpopJkt;
    expect(tokenProofs().map((p) => p.refused ?? 'accepted')).toEqual(['nonce missing or stale', 'accepted']);
    expect(tokenProofs()[1]!.jkt).toBe(jkt);

    servers.provider.expireAccessTokens();
    const again = await run(['call', 'machine', 'whoami', '--args', '{}']);
    expect(again.code, again.stderr).toBe(0);
    const second = await stored('machine');
    expect(second.secret.accessToken).not.toBe(first.secret.accessToken);
    expect(second.metadata.details.dpopJkt).toBe(jkt);
    expect(tokenProofs().at(-1)).toMatchObject({ jkt });
    expect(servers.dpop.proofs.filter((p) => p.where === 'mcp' && !p.refused).every((p) => p.jkt === jkt)).toBe(true);
  });

  it('device: each poll of the token endpoint carries a fresh proof of one key, and the tokens are bound to it', async () => {
    const before = tokenProofs().length;
    const login = sandbox.run(['auth', 'login', 'device', '--device'], { env: HEADLESS });
    await expect.poll(() => servers.devices[0]?.polls.some((p) => p.answer === 'authorization_pending') ?? false, { timeout: 30_000, interval: 50 }).toBe(true);
    const page = await fetch(`${servers.origin}/device?user_code=${encodeURIComponent(servers.devices[0]!.userCode)}`);
    expect(page.status).toBe(200);
    const result = await login;
    outputs.push(result.stdout, result.stderr);
    expect(result.code, result.stderr).toBe(0);
    const polls = tokenProofs().slice(before);
    const accepted = polls.filter((p) => !p.refused);
    // Each poll that reached the grant carried a good proof (one refused for want of the nonce never reaches it).
    expect(accepted.length).toBe(servers.devices[0]!.polls.length);
    expect(new Set(accepted.map((p) => p.jkt)).size).toBe(1);
    expect(new Set(accepted.map((p) => p.claims!.jti)).size).toBe(accepted.length);
    expect((await stored('device')).metadata.details).toMatchObject({ tokenType: 'DPoP', grant: 'device_code', dpopJkt: accepted[0]!.jkt });
    expect((await run(['call', 'device', 'whoami', '--args', '{}'])).code).toBe(0);
  });

  it('no secret, token, key or proof in any output or file', async () => {
    const keys = await Promise.all(['machine', 'device'].map(async (n) => (JSON.parse((await stored(n)).secret.dpopKey!) as { jwk: { d: string } }).jwk.d));
    const needles = [`${SENTINEL}-`, ...keys, ...servers.dpop.proofs.map((p) => p.proof)];
    for (const text of outputs) for (const needle of needles) expect(text).not.toContain(needle);
    expect(await filesContaining(sandbox.home, needles)).toEqual([]);
  });
});
