import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../src/config/json.js';
import { parseServerConfig } from '../../src/config/schema.js';

const location = { path: '/tmp/server_config.json', source: '--config' };
const parse = (data: unknown) => parseServerConfig(data, location);

describe('parseServerConfig', () => {
  it('refuses server names that a command line cannot name: empty, option-like, or with control characters', () => {
    for (const name of ['', '--help', '-x', 'a\u001b]0;t\u0007', 'a\nb'])
      expect(() => parse({ mcpServers: { [name]: { command: 'x' } } })).toThrow(/a server name must not be empty, start with "-", or hold control characters/);
    expect(Object.keys(parse({ mcpServers: { 'a-b': { command: 'x' }, 'c.d@e': { command: 'x' } } }).servers)).toEqual(['a-b', 'c.d@e']);
  });

  it('takes an HTTP entry\'s "account" (a valid account name), refuses it on a stdio entry and where SERVER@ACCOUNT is another server', () => {
    const url = 'https://example.test/mcp';
    expect(parse({ mcpServers: { gh: { url, account: 'work' } } }).servers.gh).toMatchObject({ account: 'work' });
    expect(() => parse({ mcpServers: { gh: { url, account: 'a/b' } } })).toThrow(/mcpServers\.gh\.account: invalid account name "a\/b": '\/' is not allowed/);
    expect(() => parse({ mcpServers: { gh: { url, account: '' } } })).toThrow(/mcpServers\.gh\.account: account name must not be empty/);
    expect(() => parse({ mcpServers: { gh: { command: 'x', account: 'work' } } })).toThrow(/"account" picks an OAuth login/);
    expect(() => parse({ mcpServers: { gh: { url, account: 'work' }, 'gh@work': { url } } })).toThrow(
      /mcpServers\.gh\.account: the login of this account is stored as 'gh@work', the name of another server here/,
    );
  });

  it('normalizes stdio and HTTP entries and tolerates unknown fields', () => {
    const config = parse({
      mcpServers: {
        local: { command: 'node', args: ['s.js'], env: { A: 'b' }, disabled: false, autoApprove: ['x'] },
        remote: { url: 'https://example.test/mcp', headers: { Authorization: 'Bearer ${TOKEN:bearer:r}' }, alwaysAllow: [] },
        legacy: { type: 'sse', url: 'https://example.test/sse' },
        claude: { type: 'http', url: 'https://example.test/mcp', oauth: { clientId: 'abc', scopes: 'read write', callbackPort: 8765, extra: 1 } },
      },
      tokenStorage: { backend: 'encrypted' },
      someOtherClientSetting: true,
    });
    expect(config.servers.local).toEqual({ transport: 'stdio', command: 'node', args: ['s.js'], env: { A: 'b' } });
    expect(config.servers.remote).toEqual({
      transport: 'streamable-http',
      url: 'https://example.test/mcp',
      headers: { Authorization: 'Bearer ${TOKEN:bearer:r}' },
    });
    expect(config.servers.legacy).toMatchObject({ transport: 'sse' });
    expect(config.servers.claude).toMatchObject({ transport: 'streamable-http', oauth: { clientId: 'abc', scopes: ['read', 'write'], callbackPort: 8765 } });
    expect(config.tokenStorage.backend).toBe('encrypted');
  });

  it('accepts a file without mcpServers', () => {
    expect(parse({}).servers).toEqual({});
  });

  it.each([
    [{ mcpServers: { a: { command: 'x', env: { K: 3 } } } }, 'mcpServers.a.env.K: expected a string'],
    [{ mcpServers: { 'my.api': { url: 'u', headers: [] } } }, 'mcpServers["my.api"].headers: expected an object'],
    [{ mcpServers: { a: { command: 'x', args: ['ok', 7] } } }, 'mcpServers.a.args[1]: expected a string'],
    [{ mcpServers: { a: { url: 'u', transport: 'websocket' } } }, 'mcpServers.a.transport: expected one of "streamable-http", "sse"'],
    [{ mcpServers: { a: { url: 'u', oauth: { callbackPort: 'high' } } } }, 'mcpServers.a.oauth.callbackPort: expected a number'],
    [{ mcpServers: { a: {} } }, 'mcpServers.a: expected "command" (a stdio server) or "url" (an HTTP server)'],
    [{ mcpServers: { a: { command: 'x', url: 'u' } } }, 'mcpServers.a: has both "command" and "url"'],
    [{ mcpServers: { a: { url: 'u', type: 'stdio' } } }, 'mcpServers.a: "type": "stdio" needs a "command"'],
    [{ mcpServers: [] }, 'mcpServers: expected an object'],
  ])('reports %j with its JSON path', (data, message) => {
    expect(() => parse(data)).toThrow(`/tmp/server_config.json: ${message}`);
  });

  it('never quotes a value in a schema error', () => {
    expect(() => parse({ mcpServers: { a: { url: 'u', transport: 'sk-live-sentinel' } } })).toThrow(/^(?!.*sk-live-sentinel)/s);
  });

  it('reports invalid JSON with line and column and without the text', () => {
    expect(() => parseJsonText('{\n  "mcpServers": { "a": sk-sentinel }\n}', 'cfg.json')).toThrow(/^cfg\.json:2:24: invalid JSON: unexpected character$/);
    expect(() => parseJsonText('{"a": 1,\n}', 'cfg.json')).toThrow('cfg.json:2:1: invalid JSON');
    expect(() => parseJsonText('{"a": [1', 'cfg.json')).toThrow('cfg.json:1:9: invalid JSON: unexpected end of input');
  });
});
