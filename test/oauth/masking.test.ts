// A server that echoes the OAuth access token it received (a debug tool, an "invalid token X" error,
// its own name): every access token mcp-cli sends (the first, each refreshed one, a step-up's, the
// client credentials grant's) is masked like a stored secret in results, error results, HTTP errors,
// server names and logs of real `mcp-cli run`, `call`, `tools` and `ping` processes, against a real
// authorization server, in both protocol eras.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '@modelcontextprotocol/client';
import type { CliResult, Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import type { ServerEras } from '../helpers/mcp-servers.js';
import { connectThroughRun } from '../helpers/run-client.js';

const ACCESS = `${SENTINEL}-AT-`;
const HEADLESS = { BROWSER: undefined, MCP_CLI_BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };
const CLIENT_SECRET = `${SENTINEL}-CS-masking`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** No access token, plain or inside base64. */
function expectNoToken(text: string): void {
  expect(text).not.toContain(ACCESS);
  for (const word of text.split(/[^A-Za-z0-9+/=]+/)) expect(Buffer.from(word, 'base64').toString('latin1')).not.toContain(ACCESS);
}
const textOf = (result: unknown) => (result as { content: { text: string }[] }).content.map((c) => c.text).join('\n');

// The two eras run side by side (each has its own servers and sandbox); the tests within one run in order.
describe.each<[string, ServerEras]>([
  ['2026 (SDK v2 server)', 'both'],
  ['2025 (SDK v1 server)', '2025'],
])('OAuth access tokens are masked, era %s', { concurrent: true }, (_label, eras) => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const outputs: string[] = [];
  const cli = async (args: string[]): Promise<CliResult> => {
    const result = await sandbox.spawn(args);
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const negotiation = eras === 'both' ? { negotiation: { mode: 'auto' as const } } : {};

  beforeAll(async () => {
    servers = await startOAuthServers({
      eras,
      accessTokenTtl: 1,
      echoToken: true,
      clientCredentials: true,
      asScopes: ['mcp:tools', 'offline_access', 'admin:write'],
      toolScopes: { admin: 'admin:write' },
    });
    await servers.provider.clientsStore.registerClient!({
      redirect_uris: [],
      grant_types: ['client_credentials'],
      scope: 'mcp:tools',
      client_id: 'ci-secret',
      client_secret: CLIENT_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    sandbox = await createOAuthSandbox({
      notes: { url: servers.mcpUrl, oauth: {} },
      machine: {
        url: servers.mcpUrl,
        oauth: { grant: 'client_credentials', issuer: servers.issuer, clientId: 'ci-secret', clientSecret: '${TOKEN:generic:ci-secret}' },
      },
    });
    const secret = await sandbox.run(['token', 'set', 'ci-secret', '--type', 'generic', '--value', '-'], { input: CLIENT_SECRET });
    expect(secret.code, secret.stderr).toBe(0);
    const login = await sandbox.run(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it.sequential('in a run session that outlives several tokens: results, error results, the server name and HTTP errors', async () => {
    const run = await connectThroughRun(sandbox, 'notes', { env: HEADLESS, ...negotiation });
    const refreshes = servers.counters.refreshGrant;
    try {
      expect(run.client.getProtocolEra()).toBe(eras === 'both' ? 'modern' : 'legacy');
      expect(run.client.getServerVersion()?.name).toBe('oauth-test-server (<redacted>)');
      const end = Date.now() + 3000;
      while (Date.now() < end) {
        for (const encoding of ['plain', 'url', 'base64']) {
          const text = textOf(await run.client.callTool({ name: 'echo-token', arguments: { encoding } }));
          expectNoToken(text);
          expect(text).toContain('<redacted>');
        }
        expect(textOf(await run.client.callTool({ name: 'reject-token', arguments: {} }))).toBe('invalid token <redacted>');
        await sleep(400);
      }
      const failed = await run.client.callTool({ name: 'http-error-token', arguments: {} }).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(ProtocolError);
      expectNoToken((failed as ProtocolError).message);
      expect((failed as ProtocolError).message).toContain('invalid token <redacted>');
    } finally {
      await run.close();
    }
    // The session went through refreshed tokens, each masked from its first use.
    expect(servers.counters.refreshGrant - refreshes).toBeGreaterThanOrEqual(2);
    expectNoToken(run.stderr());
    expect(run.stderr()).toContain('invalid token <redacted>');
    // From here on, tokens expire when a test says so: a one-second token could expire between a
    // step-up login and its first use on a busy machine.
    servers.provider.accessTokenTtl = 3600;
  });

  it.sequential('call, tools and ping, with a token refreshed on the way', async () => {
    servers.provider.expireAccessTokens();
    const call = await cli(['call', 'notes', 'echo-token', '--args', '{"encoding":"base64"}']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout).toContain('<redacted>');
    const rejected = await cli(['call', 'notes', 'reject-token']);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toBe('invalid token <redacted>\n');
    const failed = await cli(['call', 'notes', 'http-error-token']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('invalid token <redacted>');
    const ping = await cli(['ping', 'notes', '--json']);
    expect(ping.code, ping.stderr).toBe(0);
    expect(JSON.parse(ping.stdout).name).toBe('oauth-test-server (<redacted>)');
    const tools = await cli(['tools', 'notes', '--json']);
    expect(tools.code, tools.stderr).toBe(0);
  });

  it.sequential("a step-up login's token, in call and in run", async () => {
    const call = await cli(['call', 'notes', 'admin']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout).toMatch(/^admin done with .*admin:write.* token=<redacted>\n$/);
    servers.provider.expireAccessTokens();
    const run = await connectThroughRun(sandbox, 'notes', negotiation);
    try {
      expect(textOf(await run.client.callTool({ name: 'admin', arguments: {} }))).toMatch(/ token=<redacted>$/);
    } finally {
      await run.close();
    }
    expectNoToken(run.stderr());
  });

  it.sequential('the client credentials grant: call and run', async () => {
    const call = await cli(['call', 'machine', 'echo-token']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout).toBe('Authorization: Bearer <redacted>\n');
    const run = await connectThroughRun(sandbox, 'machine', { env: HEADLESS, ...negotiation });
    try {
      expect(textOf(await run.client.callTool({ name: 'echo-token', arguments: {} }))).toBe('Authorization: Bearer <redacted>');
    } finally {
      await run.close();
    }
    expectNoToken(run.stderr());
  });

  it.sequential('nothing printed held a token', () => {
    expect(outputs.length).toBeGreaterThan(0);
    for (const text of outputs) expectNoToken(text);
  });
});
