// Client registration in the order of the MCP spec (2026-07-28), against real authorization servers
// on 127.0.0.1: a pre-registered client, else a client ID metadata document (mcp-cli's own, or the one
// set per server or at the top of server_config.json; served over https and fetched by the
// authorization server), else dynamic registration with application_type "native", else a clear
// request for a client; bound to the issuer, and made anew when the server moves (SEP-2352).
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { AUTH_URL, createOAuthSandbox } from '../helpers/oauth-cli.js';
import { startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { connectThroughRun } from '../helpers/run-client.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls.js';
import { isClientIdUrl, DEFAULT_CLIENT_METADATA_URL } from '../../src/oauth/registration.js';

/** The client ID metadata document the project ships (published where its client_id says). */
const shipped = JSON.parse(await readFile(new URL('../../docs/client-metadata.json', import.meta.url), 'utf8')) as Record<string, unknown>;

let certs: TestCertificates;
let documentServer: Server;
let documentUrl: string;
let shippedUrl: string;

beforeAll(async () => {
  certs = await makeTestCertificates();
  // Client ID metadata documents: each one's URL is its client ID. The shipped one is served as it is, but for that.
  documentServer = createServer({ key: certs.serverKey, cert: certs.serverCert }, (req, res) => {
    const documents: Record<string, object> = {
      '/mcp-cli/client.json': {
        client_id: documentUrl,
        client_name: 'mcp-cli (metadata document)',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
      '/shipped/client-metadata.json': { ...shipped, client_id: shippedUrl },
    };
    const document = documents[req.url ?? ''];
    if (!document) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => documentServer.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${(documentServer.address() as AddressInfo).port}`;
  documentUrl = `${origin}/mcp-cli/client.json`;
  shippedUrl = `${origin}/shipped/client-metadata.json`;
});
afterAll(async () => {
  documentServer?.closeAllConnections();
  await new Promise((resolve) => documentServer?.close(resolve));
  await certs?.cleanup();
});

const registrations = (servers: OAuthServers) => servers.requests.filter((r) => r.method === 'POST' && r.path === '/register');
const clientIdOf = (stderr: string) => new URL(AUTH_URL.exec(stderr)![1]!).searchParams.get('client_id');
const status = async (sandbox: Sandbox, name: string) => JSON.parse((await sandbox.run(['auth', 'status', name, '--json'])).stdout) as Record<string, unknown>;

describe('an authorization server that offers both client ID metadata documents and dynamic registration', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  beforeAll(async () => {
    servers = await startOAuthServers({ metadataDocuments: { ca: await readFile(certs.caPath) }, device: {} });
    await servers.provider.clientsStore.registerClient!({
      client_id: 'preset',
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
    });
    sandbox = await createOAuthSandbox({
      configured: { url: servers.mcpUrl, oauth: { clientId: 'preset', clientMetadataUrl: documentUrl } },
      document: { url: servers.mcpUrl, oauth: { clientMetadataUrl: documentUrl } },
      plain: { url: servers.mcpUrl, oauth: { clientMetadataUrl: false } },
      own: { url: servers.mcpUrl },
    });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it('1. a pre-registered client comes first: nothing is registered, no document is fetched', async () => {
    const login = await sandbox.run(['auth', 'login', 'configured']);
    expect(login.code, login.stderr).toBe(0);
    expect(clientIdOf(login.stderr)).toBe('preset');
    expect(registrations(servers)).toEqual([]);
    expect(servers.provider.documentFetches).toEqual([]);
    expect(await status(sandbox, 'configured')).toMatchObject({ clientId: 'preset', clientRegistration: 'configured' });
  });

  it('2. then the metadata document, which the server fetches; no dynamic registration', async () => {
    const login = await sandbox.run(['auth', 'login', 'document']);
    expect(login.code, login.stderr).toBe(0);
    expect(clientIdOf(login.stderr)).toBe(documentUrl);
    expect(registrations(servers)).toEqual([]);
    expect(servers.provider.documentFetches).toContain(documentUrl);
    expect(await status(sandbox, 'document')).toMatchObject({ clientId: documentUrl, clientRegistration: 'metadata-document' });
  });

  it("without a setting, mcp-cli's own document: its URL is the client ID, nothing is registered", async () => {
    const login = await sandbox.run(['auth', 'login', 'own', '--timeout', '3s']);
    // The server cannot fetch it here (no internet): its page says so, and the login ends at its timeout with a hint.
    expect(login.code).toBe(1);
    expect(clientIdOf(login.stderr)).toBe(DEFAULT_CLIENT_METADATA_URL);
    expect(servers.provider.documentFetches).toContain(DEFAULT_CLIENT_METADATA_URL);
    expect(registrations(servers)).toEqual([]);
    expect(login.stderr).toContain(
      `if the authorization server could not use the client ID metadata document ${DEFAULT_CLIENT_METADATA_URL}, set "clientMetadataUrl": false in the oauth block of 'own'`,
    );
  });

  it('3. with documents turned off, dynamic registration as a native application, once, with the grants the server offers', async () => {
    const first = await sandbox.run(['auth', 'login', 'plain']);
    expect(first.code, first.stderr).toBe(0);
    const [registration] = registrations(servers);
    expect(JSON.parse(registration!.body)).toMatchObject({
      application_type: 'native',
      client_name: 'mcp-cli',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      redirect_uris: [expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)],
    });
    expect(await status(sandbox, 'plain')).toMatchObject({ clientRegistration: 'dcr' });
    const again = await sandbox.run(['auth', 'login', 'plain']);
    expect(again.code, again.stderr).toBe(0);
    expect(registrations(servers)).toHaveLength(1);
  });

  it('a stored dynamic registration gives way to a metadata document once one is configured', async () => {
    await writeOwnConfig(sandbox.home, { mcpServers: { plain: { url: servers.mcpUrl, oauth: { clientMetadataUrl: documentUrl } } } });
    const login = await sandbox.run(['auth', 'login', 'plain']);
    expect(login.code, login.stderr).toBe(0);
    expect(clientIdOf(login.stderr)).toBe(documentUrl);
    expect(registrations(servers)).toHaveLength(1);
    expect(await status(sandbox, 'plain')).toMatchObject({ clientRegistration: 'metadata-document' });
  });
});

describe('the top-level oauth.clientMetadataUrl of server_config.json', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  beforeAll(async () => {
    servers = await startOAuthServers({ metadataDocuments: { ca: await readFile(certs.caPath) } });
    sandbox = await createOAuthSandbox({});
    await writeOwnConfig(sandbox.home, {
      oauth: { clientMetadataUrl: documentUrl },
      mcpServers: { notes: { url: servers.mcpUrl }, wiki: { url: servers.mcpUrl, oauth: { clientMetadataUrl: false } } },
    });
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
  });

  it("is every server's document, in place of mcp-cli's own", async () => {
    const login = await sandbox.run(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
    expect(clientIdOf(login.stderr)).toBe(documentUrl);
    expect([...new Set(servers.provider.documentFetches)]).toEqual([documentUrl]);
    expect(await status(sandbox, 'notes')).toMatchObject({ clientId: documentUrl, clientRegistration: 'metadata-document' });
    expect((await sandbox.run(['call', 'notes', 'whoami'])).stdout.trim()).toBe(`hello ${documentUrl}`);
  });

  it("a server's own setting wins: false turns documents off, and it registers dynamically", async () => {
    const login = await sandbox.run(['auth', 'login', 'wiki']);
    expect(login.code, login.stderr).toBe(0);
    expect(registrations(servers)).toHaveLength(1);
    expect(await status(sandbox, 'wiki')).toMatchObject({ clientRegistration: 'dcr' });
  });

  it('a value that is not a document URL is refused, naming the setting, before anything is sent', async () => {
    await writeOwnConfig(sandbox.home, { oauth: { clientMetadataUrl: true }, mcpServers: { notes: { url: servers.mcpUrl } } });
    const wrongType = await sandbox.run(['auth', 'login', 'notes']);
    expect(wrongType.code).toBe(1);
    expect(wrongType.stderr).toContain('oauth.clientMetadataUrl: expected the https URL of a client ID metadata document, or false for none');
    const before = servers.requests.length;
    for (const url of [
      'http://127.0.0.1:1/client.json',
      'https://127.0.0.1:1/',
      'https://127.0.0.1:1/a/../client.json',
      'https://user@127.0.0.1:1/client.json',
    ]) {
      await writeOwnConfig(sandbox.home, { oauth: { clientMetadataUrl: url }, mcpServers: { notes: { url: servers.mcpUrl } } });
      const result = await sandbox.run(['auth', 'login', 'notes']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'the top-level oauth.clientMetadataUrl must be an https URL with a path, without a fragment, user information or dot segments',
      );
    }
    expect(servers.requests.slice(before).filter((r) => r.path === '/authorize' || r.path === '/register')).toEqual([]);
  });
});

describe('the client ID metadata document the project ships (docs/client-metadata.json)', () => {
  it('names as its client ID the URL mcp-cli presents, and describes a public native client on loopback', () => {
    expect(shipped.client_id).toBe(DEFAULT_CLIENT_METADATA_URL);
    expect(isClientIdUrl(DEFAULT_CLIENT_METADATA_URL)).toBe(true);
    expect(shipped).toMatchObject({ client_name: 'mcp-cli', token_endpoint_auth_method: 'none', response_types: ['code'], application_type: 'native' });
    expect(shipped.grant_types).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    // A public client: no secret may be part of a document anyone can read (OAuth Client ID Metadata Document, section 4).
    expect(Object.keys(shipped).filter((k) => /secret/.test(k))).toEqual([]);
    expect(shipped.redirect_uris).toEqual(['http://127.0.0.1/callback']);
  });

  it("works with a real authorization server, which accepts the login's ephemeral loopback port (RFC 8252)", async () => {
    const servers = await startOAuthServers({ metadataDocuments: { ca: await readFile(certs.caPath) } });
    const sandbox = await createOAuthSandbox({ notes: { url: servers.mcpUrl, oauth: { clientMetadataUrl: shippedUrl } } });
    try {
      const login = await sandbox.run(['auth', 'login', 'notes']);
      expect(login.code, login.stderr).toBe(0);
      expect(new URL(AUTH_URL.exec(login.stderr)![1]!).searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      expect((await sandbox.run(['call', 'notes', 'whoami'])).stdout.trim()).toBe(`hello ${shippedUrl}`);
    } finally {
      await servers.close();
      await sandbox.cleanup();
    }
  });
});

describe('an authorization server without metadata documents or dynamic registration', () => {
  it('4. asks for a pre-registered client, and sends nothing', async () => {
    const servers = await startOAuthServers({ registration: false });
    const sandbox = await createOAuthSandbox({
      closed: { url: servers.mcpUrl, oauth: { clientMetadataUrl: documentUrl } },
      bare: { url: servers.mcpUrl, oauth: { clientMetadataUrl: false } },
    });
    try {
      for (const [name, says] of [
        ['closed', 'offers no dynamic client registration, and it does not accept client ID metadata documents'],
        ['bare', 'offers no dynamic client registration (and client ID metadata documents are turned off: oauth.clientMetadataUrl is false)'],
      ] as const) {
        const result = await sandbox.run(['auth', 'login', name]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`${says}: it needs a client registered in advance`);
        expect(result.stderr).toContain(
          `hint: register a client for mcp-cli with it (redirect URI http://127.0.0.1/callback, any port), then set oauth.clientId`,
        );
      }
      expect(servers.requests.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(servers.counters.authorize).toBe(0);
    } finally {
      await servers.close();
      await sandbox.cleanup();
    }
  });
});

describe('a server that moves to another authorization server', () => {
  let first: OAuthServers;
  let second: OAuthServers;
  let sandbox: Sandbox;
  beforeAll(async () => {
    first = await startOAuthServers();
    second = await startOAuthServers();
    await second.provider.clientsStore.registerClient!({
      client_id: 'preset',
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
    });
    await first.provider.clientsStore.registerClient!({
      client_id: 'preset',
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
    });
    sandbox = await createOAuthSandbox({ notes: { url: first.mcpUrl }, wiki: { url: first.mcpUrl, oauth: { clientId: 'preset' } } });
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await sandbox?.cleanup();
  });

  it('registers anew with the new issuer; the old registration is never presented there', async () => {
    expect((await sandbox.run(['auth', 'login', 'notes'])).code).toBe(0);
    expect((await sandbox.run(['auth', 'login', 'wiki'])).code).toBe(0);
    const oldClient = (await status(sandbox, 'notes')).clientId;
    first.useAuthorizationServer(second);

    const login = await sandbox.run(['auth', 'login', 'notes']);
    expect(login.code, login.stderr).toBe(0);
    expect(registrations(second)).toHaveLength(1);
    const now = await status(sandbox, 'notes');
    expect(now).toMatchObject({ issuer: second.issuer, clientRegistration: 'dcr' });
    expect(now.clientId).not.toBe(oldClient);
    expect(JSON.stringify(second.requests)).not.toContain(String(oldClient));
    const call = await sandbox.run(['call', 'notes', 'whoami']);
    expect(call.stdout.trim()).toBe(`hello ${String(now.clientId)}`);
  });

  it('a pre-registered client is not sent to the new issuer: an error says what to do', async () => {
    const before = second.requests.length;
    const result = await sandbox.run(['auth', 'login', 'wiki']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `the client 'preset' of 'wiki' was registered with ${first.issuer}, and 'wiki' now names the authorization server ${second.issuer}`,
    );
    expect(result.stderr).toContain('hint: if the server really moved');
    expect(second.requests.slice(before).filter((r) => r.path !== '/.well-known/oauth-authorization-server')).toEqual([]);
    // Confirmed with oauth.issuer, the same client ID is used with the new server.
    await writeOwnConfig(sandbox.home, {
      mcpServers: { notes: { url: first.mcpUrl }, wiki: { url: first.mcpUrl, oauth: { clientId: 'preset', issuer: second.issuer } } },
    });
    const confirmed = await sandbox.run(['auth', 'login', 'wiki']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(await status(sandbox, 'wiki')).toMatchObject({ issuer: second.issuer, clientRegistration: 'configured' });
  });
});

describe('a server that moves while a login is stored (SEP-2352)', () => {
  let first: OAuthServers;
  let second: OAuthServers;
  let sandbox: Sandbox;
  beforeAll(async () => {
    first = await startOAuthServers();
    second = await startOAuthServers();
    sandbox = await createOAuthSandbox({ notes: { url: first.mcpUrl, oauth: {} } });
    expect((await sandbox.run(['auth', 'login', 'notes'])).code).toBe(0);
    expect((await sandbox.run(['call', 'notes', 'whoami'])).code).toBe(0);
    first.useAuthorizationServer(second);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await sandbox?.cleanup();
  });

  it('a command without a terminal says so and names the login; the old authorization server gets no refresh', async () => {
    const refreshes = first.counters.refreshGrant;
    const result = await sandbox.run(['call', 'notes', 'whoami']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`'notes' now names the authorization server ${second.issuer}, not ${first.issuer} that its login was made with`);
    expect(result.stderr).toContain('run mcp-cli auth login notes');
    expect(first.counters.refreshGrant).toBe(refreshes);
    expect(second.requests).toEqual([]);
  });

  it('mcp-cli run logs in at the new one by itself: a new registration, the old client never presented there', async () => {
    const oldClient = String((await status(sandbox, 'notes')).clientId);
    const run = await connectThroughRun(sandbox, 'notes');
    try {
      const answer = await run.client.callTool({ name: 'whoami', arguments: {} });
      expect(registrations(second)).toHaveLength(1);
      const now = await status(sandbox, 'notes');
      expect(now).toMatchObject({ issuer: second.issuer, clientRegistration: 'dcr' });
      expect(answer.content).toEqual([{ type: 'text', text: `hello ${String(now.clientId)}` }]);
      expect(JSON.stringify(second.requests)).not.toContain(oldClient);
    } finally {
      await run.close();
    }
  });
});
