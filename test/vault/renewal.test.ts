// A long `mcp-cli run` bridge whose OAuth tokens live in Vault, reached with an AppRole login whose token lives
// 4 seconds and may be renewed up to 6: renewed before it ends, replaced by a new login at its max TTL, and
// never written anywhere, while the bridge refreshes its 2-second OAuth tokens through Vault all along.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, writeOwnConfig } from '../helpers/cli.js';
import { filesContaining, FOLLOW_REDIRECT } from '../helpers/oauth-cli.js';
import { startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { connectThroughRun, procView } from '../helpers/run-client.js';
import { startVaultServer, type VaultServer } from '../helpers/vault-server/server.js';

const SECRET_ID = 'sentinel-renewal-secret-id-6d2e';
const HEADLESS = { BROWSER: undefined, MCP_CLI_BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mcp-cli run with Vault over AppRole: a session longer than the Vault token', () => {
  let vault: VaultServer;
  let servers: OAuthServers;
  let sandbox: Sandbox;
  let outside: string;

  beforeAll(async () => {
    vault = await startVaultServer();
    servers = await startOAuthServers({ accessTokenTtl: 2 });
    outside = await mkdtemp(join(tmpdir(), 'mcp-cli-vault-renewal-'));
    vault.addPolicy('mcp-cli', [{ path: 'secret/*', capabilities: ['create', 'read', 'update', 'delete', 'list'] }]);
    vault.enableAuth('approle');
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${vault.address}/v1/${path}`, {
        method,
        headers: { 'X-Vault-Token': vault.rootToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    await admin('POST', 'auth/approle/role/bridge', { token_policies: 'mcp-cli', token_ttl: '4s', token_max_ttl: '6s' });
    const roleId = ((await (await admin('GET', 'auth/approle/role/bridge/role-id')).json()) as { data: { role_id: string } }).data.role_id;
    await admin('POST', 'auth/approle/role/bridge/custom-secret-id', { secret_id: SECRET_ID });
    const secretIdFile = join(outside, 'secret-id');
    await writeFile(secretIdFile, SECRET_ID, { mode: 0o600 });

    sandbox = await createSandbox({ BROWSER: `${process.execPath} ${FOLLOW_REDIRECT}` });
    await writeOwnConfig(sandbox.home, {
      mcpServers: { notes: { url: servers.mcpUrl, oauth: {} } },
      tokenStorage: { vault: { address: vault.address, auth: { method: 'approle', roleId, secretIdFile } } },
    });
    const login = await sandbox.spawn(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain('vault');
  });
  afterAll(async () => {
    await servers?.close();
    await vault?.close();
    await sandbox?.cleanup();
    await rm(outside, { recursive: true, force: true });
  });

  it('renews the Vault token before its TTL, logs in again at its max TTL, and keeps refreshing OAuth through Vault without an error', async () => {
    vault.clearLog();
    const issuedBefore = vault.issued.length;
    const refreshesBefore = servers.counters.refreshGrant;
    const run = await connectThroughRun(sandbox, 'notes', { env: HEADLESS });
    const bridgeLogins = () => vault.requests.filter((r) => r.path === 'auth/approle/login');
    const renewals = () => vault.requests.filter((r) => r.path === 'auth/token/renew-self');
    const errors: unknown[] = [];
    let calls = 0;
    // Call a tool until the server's log shows what is looked for (and the first token's max TTL has long passed), at most 30 s.
    const deadline = Date.now() + 30_000;
    const firstLogin = () => bridgeLogins()[0]?.at ?? Infinity;
    const done = () =>
      renewals().length >= 2 && bridgeLogins().length >= 2 && servers.counters.refreshGrant - refreshesBefore >= 3 && Date.now() > firstLogin() + 7000;
    while (!done() && Date.now() < deadline) {
      try {
        await run.client.callTool({ name: 'whoami', arguments: { greeting: `call ${calls}` } });
      } catch (error) {
        errors.push(error);
      }
      calls++;
      await sleep(300);
    }
    expect(errors).toEqual([]);
    expect(done()).toBe(true);

    // The first token was renewed before its 4 s ended (at 2/3: 2.7 s, capped by the max TTL to 3.3 s more);
    // a second login came before the first token's 6 s max TTL did.
    const [first, second] = bridgeLogins();
    expect(renewals()[0]!.at - first!.at).toBeLessThan(4000);
    expect(second!.at - first!.at).toBeLessThan(6000);
    // The one renewal came back short of the role's 4 s (the max TTL was near): the next step was that login,
    // with a third of the lease to spare, not renewals that shrink to nothing.
    expect(renewals().filter((r) => r.at > first!.at && r.at < second!.at)).toHaveLength(1);
    // Logins stay few: roughly one per max TTL, not one per request.
    expect(bridgeLogins().length).toBeLessThanOrEqual(Math.ceil((Date.now() - first!.at) / 3000) + 1);

    // Neither the secret_id nor any Vault token is in the bridge's command line or environment, in its output, or in a file.
    const tokens = vault.issued.slice(issuedBefore).map((i) => i.token);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const view = procView(run.pid);
    for (const secret of [SECRET_ID, ...tokens]) {
      expect(view.cmdline + view.environ).not.toContain(secret);
      expect(run.stderr()).not.toContain(secret);
    }
    expect(await filesContaining(sandbox.home, [SECRET_ID, ...tokens])).toEqual([]);
    await run.close();
    expect(await run.exited).toEqual({ code: 0, signal: null });
  });
});
