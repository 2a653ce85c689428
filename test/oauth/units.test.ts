import { describe, expect, it } from 'vitest';
import { browserCommand, browserEnvironment, splitCommand } from '../../src/oauth/browser.js';
import { checkAuthorizationResponse } from '../../src/oauth/login.js';
import { needsRefresh, sameIssuer, type SavedTokens } from '../../src/oauth/records.js';
import { tokenFitsServer } from '../../src/oauth/session.js';
import { parseTimeout } from '../../src/commands/auth/login.js';

const ISSUER = 'https://as.example/';

describe('browser command', () => {
  it('prefers MCP_CLI_BROWSER, then BROWSER, then the platform opener', () => {
    expect(browserCommand({ MCP_CLI_BROWSER: 'firefox --new-window', BROWSER: 'lynx' }, 'linux')).toEqual({
      command: 'firefox',
      args: ['--new-window'],
      source: 'MCP_CLI_BROWSER',
    });
    expect(browserCommand({ BROWSER: "'/opt/My Browser/run' -x" }, 'linux')).toEqual({ command: '/opt/My Browser/run', args: ['-x'], source: 'BROWSER' });
    expect(browserCommand({}, 'darwin')?.command).toBe('open');
    expect(browserCommand({}, 'linux')?.command).toBe('xdg-open');
    expect(browserCommand({}, 'aix')).toBeUndefined();
    expect(splitCommand('  a "b c"  d ')).toEqual(['a', 'b c', 'd']);
  });

  it("starts the browser with the desktop session's variables, and none of mcp-cli's credentials, whatever their case", () => {
    const env = {
      DISPLAY: ':0',
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
      MCP_CLI_ENCRYPTION_KEY: 'k',
      MCP_CLI_NEW_ENCRYPTION_KEY: 'n',
      MCP_CLI_EXPORT_PASSPHRASE: 'e',
      vault_token: 'v',
      UNSET: undefined,
    };
    expect(browserEnvironment(env)).toEqual({ DISPLAY: ':0', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' });
  });
});

describe('authorization response checks', () => {
  const params = (q: Record<string, string>) => new URLSearchParams(q);
  it('returns the code when state and iss match', () => {
    expect(checkAuthorizationResponse(params({ code: 'c', state: 's', iss: ISSUER }), 's', ISSUER, true)).toBe('c');
    expect(checkAuthorizationResponse(params({ code: 'c', state: 's' }), 's', ISSUER, false)).toBe('c');
  });
  it('refuses a wrong or missing state, a foreign or missing iss, and errors', () => {
    expect(() => checkAuthorizationResponse(params({ code: 'c', state: 'x' }), 's', ISSUER, false)).toThrow(/state/);
    expect(() => checkAuthorizationResponse(params({ code: 'c' }), 's', ISSUER, false)).toThrow(/state/);
    expect(() => checkAuthorizationResponse(params({ code: 'c', state: 's', iss: 'https://other/' }), 's', ISSUER, false)).toThrow(/RFC 9207/);
    // Compared as plain strings (MCP 2026-07-28): no trailing-slash or case normalization.
    expect(() => checkAuthorizationResponse(params({ code: 'c', state: 's', iss: 'https://as.example' }), 's', ISSUER, true)).toThrow(/RFC 9207/);
    expect(() => checkAuthorizationResponse(params({ code: 'c', state: 's', iss: 'https://AS.example/' }), 's', ISSUER, true)).toThrow(/RFC 9207/);
    expect(() => checkAuthorizationResponse(params({ code: 'c', state: 's' }), 's', ISSUER, true)).toThrow(/promises an iss/);
    expect(() => checkAuthorizationResponse(params({ error: 'access_denied', error_description: 'no', state: 's' }), 's', ISSUER, false)).toThrow(
      /access_denied \(no\)/,
    );
  });
});

describe('token rules', () => {
  const tokens = (over: Partial<SavedTokens>): SavedTokens => ({
    accessToken: 'a',
    tokenType: 'Bearer',
    issuer: ISSUER,
    issuedAt: '2026-01-01T00:00:00Z',
    grant: 'authorization_code',
    ...over,
  });
  const now = new Date('2026-01-01T12:00:00Z');
  it('refreshes within 60 s of expiry, never without an expiry', () => {
    expect(needsRefresh(tokens({ expiresAt: '2026-01-01T12:00:59Z' }), now)).toBe(true);
    expect(needsRefresh(tokens({ expiresAt: '2026-01-01T12:01:01Z' }), now)).toBe(false);
    expect(needsRefresh(tokens({}), now)).toBe(false);
  });
  it('sends a token only to the resource it was issued for', () => {
    const t = tokens({ resource: 'https://mcp.example/mcp' });
    expect(tokenFitsServer(t, 'https://mcp.example/mcp')).toBe(true);
    expect(tokenFitsServer(t, 'https://mcp.example/mcp/sub')).toBe(true);
    expect(tokenFitsServer(t, 'https://mcp.example/mcpx')).toBe(false);
    expect(tokenFitsServer(t, 'https://evil.example/mcp')).toBe(false);
  });
  it('compares issuers with one trailing slash aside', () => {
    expect(sameIssuer('https://as.example', 'https://as.example/')).toBe(true);
    expect(sameIssuer('https://as.example/a', 'https://as.example/b')).toBe(false);
  });
  it('parses --timeout as seconds or a duration', () => {
    expect(parseTimeout('90')).toBe(90_000);
    expect(parseTimeout('5m')).toBe(300_000);
    expect(() => parseTimeout('soon')).toThrow(/--timeout/);
  });
});
