// Several OAuth logins of one server, one per account (`auth login SERVER --account NAME`), against a real
// authorization server and MCP server on 127.0.0.1, commands run in-process. The authorization server
// issues each login to the user then signed in at it (`signedInAs`), and the MCP server's `signed-in-as`
// tool names the user of the token it received: so each command shows which login it sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, filesWithSentinel, sandboxTokenStore } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { connectThroughRun } from '../helpers/run-client.js';

interface StatusJson {
  server: string;
  account: string | null;
  dpop: { jkt: string } | null;
  senderConstrained: boolean;
}

async function storedAccessToken(sandbox: Sandbox, name: string): Promise<string | undefined> {
  const store = await sandboxTokenStore(sandbox);
  return (await store.get({ namespace: 'oauth', name }))?.secret.accessToken;
}

function setup(serverOptions: Parameters<typeof startOAuthServers>[0]) {
  const state = { servers: undefined as unknown as OAuthServers, sandbox: undefined as unknown as Sandbox, outputs: [] as string[] };
  const run = async (args: string[], env: Record<string, string | undefined> = {}) => {
    const result = await state.sandbox.run(args, { env });
    state.outputs.push(result.stdout, result.stderr);
    return result;
  };
  const entry = (extra: object = {}) => ({ gh: { url: state.servers.mcpUrl, oauth: {}, ...extra } });
  /** Logs in as `user` at the authorization server, for the account given (or the default login). */
  const loginAs = async (user: string, account?: string) => {
    state.servers.provider.signedInAs = user;
    const result = await run(['auth', 'login', 'gh', ...(account !== undefined ? ['--account', account] : [])]);
    expect(result.stderr).toContain(`Logged in to 'gh'${account !== undefined ? ` as the account '${account}'` : ''}`);
    expect(result.code).toBe(0);
  };
  const signedInAs = async (args: string[] = [], env: Record<string, string | undefined> = {}) => {
    const result = await run(['call', 'gh', 'signed-in-as', ...args], env);
    return { ...result, user: /^signed in as (\S+)/.exec(result.stdout)?.[1] };
  };
  beforeAll(async () => {
    state.servers = await startOAuthServers(serverOptions);
    state.sandbox = await createOAuthSandbox(entry());
  });
  afterAll(async () => {
    await state.servers?.close();
    await state.sandbox?.cleanup();
  });
  return { state, run, entry, loginAs, signedInAs };
}

describe('several accounts per server', () => {
  const { state, run, entry, loginAs, signedInAs } = setup({});

  it('keeps a login per account beside the default one, each for its own user', async () => {
    await loginAs('alice');
    await loginAs('bob', 'work');
    await loginAs('carol', 'personal');
    // Any further login would be dave's: none of the commands below may start one.
    state.servers.provider.signedInAs = 'dave';
    const authorizations = state.servers.counters.authorize;
    expect((await signedInAs()).user).toBe('alice');
    expect((await signedInAs(['--account', 'work'])).user).toBe('bob');
    expect((await signedInAs(['--account', 'personal'])).user).toBe('carol');
    expect(state.servers.counters.authorize).toBe(authorizations);
  });

  it('mcp-cli run sends the login of --account, else the default one', async () => {
    for (const [args, user] of [
      [['--account', 'work'], 'bob'],
      [[], 'alice'],
    ] as const) {
      const client = await connectThroughRun(state.sandbox, 'gh', { args: [...args] });
      try {
        const result = await client.client.callTool({ name: 'signed-in-as', arguments: {} });
        expect(result.content).toEqual([{ type: 'text', text: `signed in as ${user}` }]);
      } finally {
        await client.close();
      }
      state.outputs.push(client.stderr());
    }
  });

  it('an entry picks its account with "account", and --account overrides it for run, call, tools and ping', async () => {
    await writeOwnConfig(state.sandbox.home, { mcpServers: entry({ account: 'work' }) });
    expect((await signedInAs()).user).toBe('bob');
    expect((await signedInAs(['--account', 'personal'])).user).toBe('carol');
    const client = await connectThroughRun(state.sandbox, 'gh');
    try {
      const result = await client.client.callTool({ name: 'signed-in-as', arguments: {} });
      expect(result.content).toEqual([{ type: 'text', text: 'signed in as bob' }]);
    } finally {
      await client.close();
    }
    for (const command of [
      ['tools', 'gh'],
      ['ping', 'gh'],
    ]) {
      const result = await run([...command, '--account', 'personal']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    await writeOwnConfig(state.sandbox.home, { mcpServers: entry() });
  });

  it('an account without a login is a clear error naming the command that makes it', async () => {
    const result = await signedInAs(['--account', 'nope'], { BROWSER: undefined });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("no login for its account 'nope' is stored");
    expect(result.stderr).toContain('mcp-cli auth login gh --account nope');
    await writeOwnConfig(state.sandbox.home, { mcpServers: entry({ account: 'nope' }) });
    const fromEntry = await signedInAs([], { BROWSER: undefined });
    expect(fromEntry.code).toBe(4);
    expect(fromEntry.stderr).toContain('mcp-cli auth login gh --account nope');
    await writeOwnConfig(state.sandbox.home, { mcpServers: entry() });
  });

  it('refuses account names that are not valid token names, and an account on a stdio server', async () => {
    for (const args of [
      ['auth', 'login', 'gh', '--account', 'a/b'],
      ['auth', 'logout', 'gh', '--account', 'a b'],
      ['call', 'gh', 'signed-in-as', '--account', 'x:y'],
    ]) {
      const result = await run(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/invalid account name/);
    }
    await writeOwnConfig(state.sandbox.home, { mcpServers: entry({ account: 'we{ird' }) });
    const fromEntry = await run(['call', 'gh', 'signed-in-as']);
    expect(fromEntry.code).toBe(1);
    expect(fromEntry.stderr).toContain('mcpServers.gh.account: invalid account name "we{ird"');
    await writeOwnConfig(state.sandbox.home, { mcpServers: { ...entry(), local: { command: 'true', account: 'work' } } });
    const stdio = await run(['tools', 'local']);
    expect(stdio.code).toBe(1);
    expect(stdio.stderr).toContain('"account" picks an OAuth login');
    await writeOwnConfig(state.sandbox.home, { mcpServers: entry() });
  });

  it('auth status and token list show each login with its account', async () => {
    const status = await run(['auth', 'status', '--json']);
    expect(status.code).toBe(0);
    const logins = (JSON.parse(status.stdout) as StatusJson[]).map((s) => [s.server, s.account]);
    expect(logins).toEqual([
      ['gh', null],
      ['gh', 'personal'],
      ['gh', 'work'],
    ]);
    const table = await run(['auth', 'status']);
    // Piped: tab-separated rows without the header, the account in the second column.
    expect(table.stdout).toMatch(/^gh\s+work\s/m);
    expect(table.stdout).toMatch(/^gh\s+-\s/m);
    const one = await run(['auth', 'status', 'gh', '--account', 'work']);
    expect(one.stdout).toMatch(/^Account:\s+work$/m);
    const missing = await run(['auth', 'status', 'gh', '--account', 'nope']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('mcp-cli auth login gh --account nope');
    const list = await run(['token', 'list', '--oauth', '--json']);
    const tokens = JSON.parse(list.stdout) as { name: string; namespace: string; account?: string }[];
    expect(tokens.filter((t) => t.namespace === 'oauth').map((t) => [t.name, t.account ?? null])).toEqual(
      expect.arrayContaining([
        ['gh', null],
        ['gh@work', 'work'],
        ['gh@personal', 'personal'],
      ]),
    );
  });

  it('a refresh renews the account it is for and no other', async () => {
    const before = { alice: await storedAccessToken(state.sandbox, 'gh'), carol: await storedAccessToken(state.sandbox, 'gh@personal') };
    const work = await storedAccessToken(state.sandbox, 'gh@work');
    const refreshes = state.servers.counters.refreshGrant;
    const rotate = await run(['token', 'rotate', 'gh@work', '--oauth']);
    expect(rotate.code).toBe(0);
    expect(state.servers.counters.refreshGrant).toBe(refreshes + 1);
    expect(await storedAccessToken(state.sandbox, 'gh@work')).not.toBe(work);
    expect({ alice: await storedAccessToken(state.sandbox, 'gh'), carol: await storedAccessToken(state.sandbox, 'gh@personal') }).toEqual(before);
    // A refresh after a 401 too: every access token expires, the call with the work account refreshes that one only.
    state.servers.provider.expireAccessTokens();
    const call = await signedInAs(['--account', 'work']);
    expect(call.user).toBe('bob');
    expect(state.servers.counters.refreshGrant).toBe(refreshes + 2);
    expect({ alice: await storedAccessToken(state.sandbox, 'gh'), carol: await storedAccessToken(state.sandbox, 'gh@personal') }).toEqual(before);
    expect((await signedInAs()).user).toBe('alice');
    expect((await signedInAs(['--account', 'personal'])).user).toBe('carol');
  });

  it('logout of one account revokes and deletes that login only', async () => {
    const revocations = state.servers.counters.revoke;
    const logout = await run(['auth', 'logout', 'gh', '--account', 'work']);
    expect(logout.code).toBe(0);
    expect(logout.stderr).toContain("Logged out of 'gh' as the account 'work'");
    expect(state.servers.counters.revoke).toBeGreaterThan(revocations);
    expect(await storedAccessToken(state.sandbox, 'gh@work')).toBeUndefined();
    expect((await signedInAs()).user).toBe('alice');
    expect((await signedInAs(['--account', 'personal'])).user).toBe('carol');
    expect((await signedInAs(['--account', 'work'], { BROWSER: undefined })).code).toBe(4);
    const status = JSON.parse((await run(['auth', 'status', '--json'])).stdout) as StatusJson[];
    expect(status.map((s) => s.account)).toEqual([null, 'personal']);
    const again = await run(['auth', 'logout', 'gh', '--account', 'work']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("not logged in to 'gh' as the account 'work'");
  });

  it('never leaves a token in a plaintext file or in any output', async () => {
    expect(await filesWithSentinel(state.sandbox.home)).toEqual([]);
    for (const text of state.outputs) expect(text).not.toContain(`${SENTINEL}-`);
  });
});

describe('several accounts per server, with DPoP', () => {
  const { state, loginAs, signedInAs, run } = setup({ dpop: {} });

  it("gives each account's login a DPoP key of its own, and proves each token with its own key", async () => {
    await loginAs('alice');
    await loginAs('bob', 'work');
    const status = JSON.parse((await run(['auth', 'status', '--json'])).stdout) as StatusJson[];
    expect(status.every((s) => s.senderConstrained)).toBe(true);
    const keys = new Set(status.map((s) => s.dpop?.jkt));
    expect(keys.size).toBe(2);
    // The MCP server checks each request's proof against the key its token is bound to.
    expect((await signedInAs(['--account', 'work'])).user).toBe('bob');
    expect((await signedInAs()).user).toBe('alice');
    expect(state.servers.dpop.refusals).toEqual([]);
  });
});
