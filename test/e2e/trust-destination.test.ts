// A server that carries a stored token must not take its destination from a variable: `${VAR}` in
// its url, command, cwd (or an argument that names the code that runs, a variable that names a place)
// would send the token wherever whoever sets VAR says, and an MCP client's entry sets the environment
// of `mcp-cli run`. Each CLI here is a separate process whose account home is the sandbox.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { plainToken, seedTokens } from '../helpers/seed-store.js';
import { startCatcher, type Catcher } from '../helpers/catcher.js';

const KEY = 'sk-SENTINEL-destination-4a90d1';
const PASSPHRASE = 'SENTINEL-passphrase-dest-77c2';

let sandbox: Sandbox;
let repo: string;
let marker: string;
let catcher: Catcher;

beforeEach(async () => {
  sandbox = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: PASSPHRASE });
  repo = join(sandbox.home, 'repo');
  marker = join(sandbox.home, 'started');
  await mkdir(repo);
  catcher = await startCatcher();
  await seedTokens(sandbox.env.XDG_DATA_HOME!, PASSPHRASE, [plainToken('api-key', 'acme', KEY)]);
});
afterEach(async () => {
  await catcher.close();
  await sandbox.cleanup();
});

const leaked = (...texts: string[]) => [KEY, PASSPHRASE].filter((secret) => texts.some((t) => t.includes(secret)));

describe('a server whose destination a variable decides', () => {
  const initialize = `${JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'client', version: '1' } },
  })}\n`;

  it.each([
    ['run', ['run', 'api'], initialize],
    ['ping', ['ping', 'api'], ''],
    ['call', ['call', 'api', 'echo'], ''],
  ])('%s: ${VAR} in the url of a server that sends a stored token is refused, naming the field', async (_command, args, input) => {
    await writeOwnConfig(sandbox.home, {
      mcpServers: { api: { url: 'http://${MCP_HOST}/mcp', headers: { Authorization: 'Bearer ${TOKEN:api-key:acme}' } } },
    });
    const r = await sandbox.run(args, { env: { MCP_HOST: catcher.origin.slice('http://'.length) }, input, timeoutMs: 15_000 });
    expect(catcher.requests).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("server 'api', url: ${MCP_HOST} decides where this server connects, and it sends the stored token ${TOKEN:api-key:acme}");
    expect(leaked(r.stdout, r.stderr)).toEqual([]);
  });

  it('${VAR} in the cwd of a stdio server given a stored token is refused; nothing starts', async () => {
    await writeFile(join(repo, 'server.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, process.env.T ?? '')`);
    await writeOwnConfig(sandbox.home, {
      mcpServers: { notes: { command: process.execPath, args: ['server.js'], cwd: '${PROJECT_DIR}', env: { T: '${TOKEN:api-key:acme}' } } },
    });
    const r = await sandbox.run(['run', 'notes'], { env: { PROJECT_DIR: repo }, timeoutMs: 15_000 });
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("server 'notes', cwd: ${PROJECT_DIR} decides which program runs, and it gets the stored token ${TOKEN:api-key:acme}");
    const trust = await sandbox.run(['config', 'trust', '--list']);
    expect(trust.code).toBe(0);
  });

  it.each([
    ['an argument of node', { args: ['${SCRIPT}'] }, 'args[0]: ${SCRIPT} decides which program runs'],
    [
      'NODE_OPTIONS',
      { args: ['server.js'], env: { T: '${TOKEN:api-key:acme}', NODE_OPTIONS: '--require=${SCRIPT}' } },
      'env.NODE_OPTIONS: ${SCRIPT} decides which program runs',
    ],
    [
      'a variable that names a place (even with a default)',
      { args: ['server.js'], env: { T: '${TOKEN:api-key:acme}', API_URL: '${ACME_URL:-https://api.acme.example}' } },
      'env.API_URL: ${ACME_URL} decides where this server connects',
    ],
  ])('%s taken from a variable, in a stdio server given a stored token, is refused; nothing starts', async (_what, fields, message) => {
    await writeFile(join(repo, 'server.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, process.env.T ?? '')`);
    await writeOwnConfig(sandbox.home, {
      mcpServers: { notes: { command: process.execPath, cwd: repo, env: { T: '${TOKEN:api-key:acme}' }, ...fields } },
    });
    const r = await sandbox.run(['run', 'notes'], { env: { SCRIPT: join(repo, 'server.js'), ACME_URL: catcher.origin }, timeoutMs: 15_000 });
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`server 'notes', ${message}`);
    expect(leaked(r.stdout, r.stderr)).toEqual([]);
  });

  it('a variable elsewhere (a header value, the path of the url), or in the url of a server without a stored token, is used as before', async () => {
    await writeOwnConfig(sandbox.home, {
      mcpServers: {
        tenant: { url: `${catcher.origin}/\${TENANT}/mcp`, headers: { Authorization: 'Bearer ${TOKEN:api-key:acme}', 'X-Tenant': '${TENANT}' } },
        open: { url: 'http://${MCP_HOST}/open' },
      },
    });
    const env = { TENANT: 'acme-corp', MCP_HOST: catcher.origin.slice('http://'.length) };
    await sandbox.run(['ping', 'tenant'], { env, timeoutMs: 15_000 });
    expect(catcher.requests[0]?.url).toBe('/acme-corp/mcp');
    expect(catcher.requests[0]?.headers['x-tenant']).toBe('acme-corp');
    expect(catcher.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    await sandbox.run(['ping', 'open'], { env, timeoutMs: 15_000 });
    expect(catcher.requests.some((r) => r.url === '/open')).toBe(true);
  });
});
