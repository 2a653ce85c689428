// The device authorization grant (RFC 8628) end to end, headless: no browser, no terminal. The
// in-repo authorization server (test/helpers/oauth-grants.ts) issues device and user codes, answers
// polls with authorization_pending, slow_down (also to a client polling faster than told),
// expired_token and access_denied, and its /device page approves or refuses a code as a user would.
import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox, filesWithSentinel, startCli } from '../helpers/oauth-cli.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import type { DeviceRecord } from '../helpers/oauth-grants.js';

/** No browser can be opened, and (in-process or spawned with pipes) no terminal takes a paste. */
const HEADLESS = { BROWSER: undefined, MCP_CLI_BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };

/**
 * The code the server issued, once it has; then `answer` is what its page does with it. `expect`
 * is the test's own: the groups run concurrently, where the global one's poll may not know its test.
 */
async function actOnDevice(expect: ExpectStatic, servers: OAuthServers, index: number, when: (d: DeviceRecord) => boolean, answer: 'approve' | 'deny') {
  await expect.poll(() => servers.devices[index] !== undefined && when(servers.devices[index]), { timeout: 30_000, interval: 50 }).toBe(true);
  const device = servers.devices[index]!;
  const page = await fetch(`${servers.origin}/device?user_code=${encodeURIComponent(device.userCode)}${answer === 'deny' ? '&deny=1' : ''}`);
  expect(page.status).toBe(200);
  return device;
}
const pendingOnce = (d: DeviceRecord) => d.polls.some((p) => p.answer === 'authorization_pending');
const answers = (d: DeviceRecord) => d.polls.map((p) => p.answer);

// The groups run side by side (each has its own servers and sandbox): most of their time is
// the polling intervals the protocol asks for. The tests within a group run in order.
const sideBySide = { concurrent: true };

describe('auth login --device', sideBySide, () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  const outputs: string[] = [];
  beforeAll(async () => {
    servers = await startOAuthServers({ device: { interval: 1, slowDowns: 1 } });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it.sequential('prints the URI and user code on stderr, honours slow_down and authorization_pending, and stores the tokens', async ({ expect }) => {
    const login = sandbox.run(['auth', 'login', 'notes', '--device'], { env: HEADLESS });
    const device = await actOnDevice(expect, servers, 0, pendingOnce, 'approve');
    const result = await login;
    outputs.push(result.stdout, result.stderr);
    expect(result.code, result.stderr).toBe(0);
    // One slow_down from the server, and none earned after it: the client waited 5 s longer from then on.
    expect(answers(device)).toEqual(['slow_down', 'authorization_pending', 'tokens']);
    expect(result.stderr).toContain(`open this URL on any device with a browser:\n\n  ${servers.origin}/device\n\nand enter the code:  ${device.userCode}\n`);
    expect(result.stderr).toContain(`(or open ${servers.origin}/device?user_code=${encodeURIComponent(device.userCode)}, which carries the code)`);
    expect(result.stderr).toContain(`✓ Logged in to 'notes' with a device code`);
    expect(result.stdout).toBe('');
    // The device code is the client's secret: never shown.
    expect(result.stderr).not.toContain(device.deviceCode);
    expect(device.resource).toBe(servers.mcpUrl);
  });

  it.sequential('the login works as any other: status names the grant, a call uses the token, a refresh renews it', async () => {
    const status = JSON.parse((await sandbox.run(['auth', 'status', 'notes', '--json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ grant: 'device_code', clientRegistration: 'dcr', canRefresh: true, audienceBound: true });
    const registration = servers.requests.find((r) => r.path === '/register')!;
    expect(JSON.parse(registration.body)).toMatchObject({
      application_type: 'native',
      grant_types: expect.arrayContaining(['urn:ietf:params:oauth:grant-type:device_code']),
    });
    const call = await sandbox.run(['call', 'notes', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout.trim()).toBe(`hello ${String(status.clientId)}`);
    const rotate = await sandbox.run(['token', 'rotate', 'notes', '--oauth']);
    outputs.push(call.stdout, call.stderr, rotate.stdout, rotate.stderr);
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(servers.counters.refreshGrant).toBe(1);
  });

  it.sequential('no token or device code in any output or plaintext file', async () => {
    expect(await filesWithSentinel(sandbox.home)).toEqual([]);
    for (const text of outputs) {
      expect(text).not.toContain(`${SENTINEL}-`);
      for (const d of servers.devices) expect(text).not.toContain(d.deviceCode);
    }
  });
});

describe('a login refused on the other device', sideBySide, () => {
  it.sequential('access_denied ends the login with a clear error; the device code is never shown', async ({ expect }) => {
    const servers = await startOAuthServers({ device: { interval: 1 } });
    const sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
    try {
      const login = sandbox.run(['auth', 'login', 'notes', '--device'], { env: HEADLESS });
      const device = await actOnDevice(expect, servers, 0, () => true, 'deny');
      const result = await login;
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`the login to 'notes' was refused on the device (access_denied)`);
      expect(answers(device).at(-1)).toBe('access_denied');
      expect(result.stderr).not.toContain(device.deviceCode);
      expect((await sandbox.run(['auth', 'status', 'notes'])).code).toBe(4);
    } finally {
      await servers.close();
      await sandbox.cleanup();
    }
  });
});

describe('a device code that expires', sideBySide, () => {
  it.sequential('expired_token ends the login with a clear error and a hint', async () => {
    const servers = await startOAuthServers({ device: { interval: 1, expireAfterMs: 1500 } });
    const sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
    try {
      const result = await sandbox.run(['auth', 'login', 'notes', '--device'], { env: HEADLESS });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`the device code for 'notes' expired before the login was approved`);
      expect(result.stderr).toContain(`hint: run mcp-cli auth login notes --device again`);
      expect(answers(servers.devices[0]!).at(-1)).toBe('expired_token');
      expect((await sandbox.run(['auth', 'status', 'notes'])).code).toBe(4);
    } finally {
      await servers.close();
      await sandbox.cleanup();
    }
  });
});

describe('the default on a machine with no browser and no terminal', sideBySide, () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  beforeAll(async () => {
    servers = await startOAuthServers({ device: { interval: 1 } });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it.sequential('auth login uses the device grant when the server offers it (a process with piped stdin)', async ({ expect }) => {
    const cli = startCli(sandbox, ['auth', 'login', 'notes'], HEADLESS);
    const [, code] = await cli.waitForStderr(/enter the code: {2}(\S+)/);
    expect(code).toBe(servers.devices[0]!.userCode);
    await actOnDevice(expect, servers, 0, () => true, 'approve');
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('open this URL in a browser');
    expect(result.stderr).not.toContain(servers.devices[0]!.deviceCode);
    expect(servers.counters.authorize).toBe(0);
  });

  it.sequential('--device and --no-browser together are refused; --device where the server has no device grant says what to use', async () => {
    const both = await sandbox.run(['auth', 'login', 'notes', '--device', '--no-browser']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--device and --no-browser are two ways to log in without a browser here; give one of them');
    const plain = await startOAuthServers();
    const other = await createOAuthSandbox({ plain: { url: plain.mcpUrl } });
    try {
      const result = await other.run(['auth', 'login', 'plain', '--device'], { env: HEADLESS });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`does not offer the device authorization grant (no device_authorization_endpoint)`);
      expect(result.stderr).toContain('hint: log in with mcp-cli auth login plain --no-browser instead');
      expect(plain.requests.filter((r) => r.method === 'POST')).toEqual([]);
    } finally {
      await plain.close();
      await other.cleanup();
    }
  });
});
