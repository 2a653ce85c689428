// Which `${VAR}` may stand where in an entry that carries a stored token: none that decides where the
// entry connects or which program runs (an MCP client's entry sets the environment of `mcp-cli run`).
import { describe, expect, it } from 'vitest';
import { resolveServers, type TokenLookup } from '../../src/config/resolve.js';
import type { ServerEntry } from '../../src/config/schema.js';
import type { CliError } from '../../src/errors.js';
import type { StoredToken } from '../../src/tokens/model.js';

const now = new Date('2026-06-01T00:00:00Z');
const SECRET = 'BEARER-SENTINEL-dest';
const stored: StoredToken = {
  metadata: { namespace: 'bearer', name: 'api', type: 'bearer', createdAt: now.toISOString(), updatedAt: now.toISOString(), details: {} },
  secret: { token: SECRET },
};
const env = { HOST: 'attacker.example', API_URL: 'https://attacker.example', REGION: 'eu', SCRIPT: '/repo/x.js', BIN: '/repo/bin' };

function resolving(entry: ServerEntry, options: { exec?: boolean } = {}) {
  const reads: string[] = [];
  const lookup: TokenLookup = async (key) => (reads.push(key.name), stored);
  const done = resolveServers({ s: entry }, ['s'], { lookup, env, now, ...(options.exec ? { variablesMayDecideDestination: true } : {}) });
  return { done, reads };
}

const http = (url: string, headers: Record<string, string> = { Authorization: 'Bearer ${TOKEN:bearer:api}' }, extra: object = {}): ServerEntry => ({
  transport: 'streamable-http',
  url,
  headers,
  ...extra,
});
const stdio = (command: string, args: string[], extraEnv: Record<string, string> = {}, cwd?: string): ServerEntry => ({
  transport: 'stdio',
  command,
  args,
  env: { KEY: '${TOKEN:bearer:api}', ...extraEnv },
  ...(cwd !== undefined ? { cwd } : {}),
});

describe('a variable that would decide where a stored token goes', () => {
  it.each([
    ['the host', http('https://${HOST}/mcp'), 'url: ${HOST} decides where this server connects'],
    ['the whole url', http('${API_URL}'), 'url: ${API_URL} decides where this server connects'],
    ['a host suffix', http('https://mcp${HOST}/x'), 'url: ${HOST}'],
    ['the port', http('http://127.0.0.1:${PORT:-8080}/mcp'), 'url: ${PORT}'],
    ['the userinfo', http('https://${REGION}@api.example.com/mcp'), 'url: ${REGION}'],
    ['a url without a path', http('https://api.example.com${HOST}'), 'url: ${HOST}'],
    ['the CA of the server', http('https://api.example.com/mcp', undefined, { tls: { ca: '${BIN}/ca.pem' } }), 'tls.ca: ${BIN}'],
    [
      'the issuer of a client secret',
      http('https://api.example.com/mcp', {}, { oauth: { clientSecret: '${TOKEN:bearer:api}', issuer: 'https://${HOST}' } }),
      'oauth.issuer: ${HOST}',
    ],
    ['the command', stdio('${BIN}/server', []), 'command: ${BIN} decides which program runs'],
    ['the directory', stdio('node', ['server.js'], {}, '${BIN}'), 'cwd: ${BIN} decides which program runs'],
    ["node's script", stdio('/usr/bin/node', ['${SCRIPT}']), 'args[0]: ${SCRIPT} decides which program runs'],
    ["npx's package", stdio('npx', ['-y', '@acme/server@${REGION}']), 'args[1]: ${REGION}'],
    ['PATH', stdio('server', [], { PATH: '${BIN}:/usr/bin' }), 'env.PATH: ${BIN} decides which program runs'],
    ['a variable naming a place', stdio('server', [], { ACME_ENDPOINT: '${REGION}' }), 'env.ACME_ENDPOINT: ${REGION} decides where this server connects'],
    ["an argument given a place's variable", stdio('acme-server', ['--api', '${API_URL}']), 'args[1]: ${API_URL} decides where this server connects'],
    ["a variable given a place's variable", stdio('acme-server', [], { TARGET: '${API_URL}' }), 'env.TARGET: ${API_URL}'],
  ])('%s: refused before any token is read', async (_what, entry, message) => {
    const { done, reads } = resolving(entry);
    const error = (await done.catch((e: unknown) => e)) as CliError;
    expect(error.message).toContain(`server 's', ${message}`);
    expect(error.message).toContain('${TOKEN:bearer:api}');
    expect(error.exitCode).toBe(1);
    expect(reads).toEqual([]);
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });

  it.each([
    [
      'the path and query of the url',
      http('https://api.example.com/${REGION}/mcp?region=${REGION}#${REGION}', { Authorization: 'Bearer ${TOKEN:bearer:api}', 'X-Region': '${REGION}' }),
    ],
    ['a header', http('https://api.example.com/mcp', { Authorization: 'Bearer ${TOKEN:bearer:api}', 'X-Host': '${HOST}' })],
    ['other arguments of a program that does not run them', stdio('acme-server', ['--region', '${REGION}'])],
    ['other variables', stdio('node', ['server.js'], { REGION: '${REGION}', LOG: '${REGION}-log' })],
    ['an entry without a stored token', { transport: 'streamable-http', url: 'https://${HOST}/mcp', headers: {} } as ServerEntry],
  ])('%s: taken from the environment as before', async (_what, entry) => {
    const [server] = await resolving(entry).done;
    expect(server!.entry).toBeDefined();
  });

  it('exec, whose program inherits the environment anyway, is not held to it', async () => {
    const [server] = await resolving(stdio('curl', [], { API_URL: '${API_URL}' }), { exec: true }).done;
    expect(server!.entry.transport === 'stdio' && server!.entry.env).toEqual({ KEY: SECRET, API_URL: 'https://attacker.example' });
  });
});
