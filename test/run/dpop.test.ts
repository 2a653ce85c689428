// `mcp-cli run` bridging an MCP client to a server that takes DPoP-bound tokens only (RFC 9449): the
// bridge's requests go through the same transport as `call`, so each carries a fresh proof; the
// server's nonce is met once and remembered, a rotation costs one challenge, and tokens that expire
// every few seconds are refreshed with the same key. Neither the key nor a token reaches the bridge's
// command line or environment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, filesContaining, sandboxTokenStore } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { connectThroughRun, procView } from '../helpers/run-client.js';

const HEADLESS = { BROWSER: undefined, MCP_CLI_BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };
const textOf = (result: unknown) => (result as { content: { text: string }[] }).content[0]!.text;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mcp-cli run with a DPoP-bound login', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;

  beforeAll(async () => {
    servers = await startOAuthServers({ dpop: { rsNonce: true, asNonce: true }, accessTokenTtl: 1 });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: {} } });
    const login = await sandbox.spawn(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('every bridged request carries a proof of the login key; the nonce is asked for once, again after a rotation; 1-second tokens are refreshed with the same key', async () => {
    const store = await sandboxTokenStore(sandbox);
    const login = (await store.get({ namespace: 'oauth', name: 'notes' }))!;
    const jkt = login.metadata.details.dpopJkt!;
    const privateKey = (JSON.parse(login.secret.dpopKey!) as { jwk: { d: string } }).jwk.d;

    const run = await connectThroughRun(sandbox, 'notes', { env: HEADLESS });
    try {
      for (let i = 0; i < 3; i++) expect(textOf(await run.client.callTool({ name: 'whoami', arguments: { greeting: `call ${i}` } }))).toMatch(/^call \d /);
      expect(servers.dpop.rsNonceChallenges).toBe(1);

      servers.dpop.rotateNonces();
      expect(textOf(await run.client.callTool({ name: 'whoami', arguments: { greeting: 'rotated' } }))).toMatch(/^rotated /);
      expect(servers.dpop.rsNonceChallenges).toBe(2);

      // Past the tokens' lifetime: refreshed (the authorization server's rotated nonce met once), with the same key.
      const refreshes = servers.counters.refreshGrant;
      await sleep(1200);
      expect(textOf(await run.client.callTool({ name: 'whoami', arguments: { greeting: 'later' } }))).toMatch(/^later /);
      expect(servers.counters.refreshGrant).toBeGreaterThan(refreshes);
      const proofs = servers.dpop.proofs.filter((p) => !p.refused);
      expect(new Set(proofs.map((p) => p.jkt))).toEqual(new Set([jkt]));
      expect(servers.dpop.proofs.filter((p) => p.where === 'mcp' && !p.refused).length).toBeGreaterThanOrEqual(6);
      expect(servers.dpop.refusals.filter((r) => r !== 'a nonce is required' && r !== 'unknown or expired access token')).toEqual([]);

      const view = procView(run.pid);
      const current = (await store.get({ namespace: 'oauth', name: 'notes' }))!;
      for (const needle of [`${SENTINEL}-`, privateKey, current.secret.accessToken!, ...servers.dpop.proofs.map((p) => p.proof)]) {
        expect(view.cmdline).not.toContain(needle);
        expect(view.environ).not.toContain(needle);
        expect(run.stderr()).not.toContain(needle);
      }
    } finally {
      await run.close();
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(await filesContaining(sandbox.home, [`${SENTINEL}-`, privateKey])).toEqual([]);
  });
});
