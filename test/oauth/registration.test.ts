// Client registration in the order of the MCP spec (2026-07-28), against real authorization servers
// on 127.0.0.1: a pre-registered client, else a client ID metadata document (served over https and
// fetched by the authorization server), else dynamic registration with application_type "native",
// else a clear request for a client; bound to the issuer, and made anew when the server moves.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { AUTH_URL, createOAuthSandbox } from '../helpers/oauth-cli.js';
import { startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls.js';

let certs: TestCertificates;
let documentServer: Server;
let documentUrl: string;

beforeAll(async () => {
  certs = await makeTestCertificates();
  // mcp-cli's client ID metadata document: its URL is the client ID.
  documentServer = createServer({ key: certs.serverKey, cert: certs.serverCert }, (req, res) => {
    if (req.url !== '/mcp-cli/client.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        client_id: documentUrl,
        client_name: 'mcp-cli (metadata document)',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    );
  });
  await new Promise<void>((resolve) => documentServer.listen(0, '127.0.0.1', resolve));
  documentUrl = `https://127.0.0.1:${(documentServer.address() as AddressInfo).port}/mcp-cli/client.json`;
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
      plain: { url: servers.mcpUrl },
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

  it('3. without a document, dynamic registration as a native application, once, with the grants the server offers', async () => {
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

describe('an authorization server without metadata documents or dynamic registration', () => {
  it('4. asks for a pre-registered client, and sends nothing', async () => {
    const servers = await startOAuthServers({ registration: false });
    const sandbox = await createOAuthSandbox({ closed: { url: servers.mcpUrl, oauth: { clientMetadataUrl: documentUrl } }, bare: { url: servers.mcpUrl } });
    try {
      for (const [name, says] of [
        ['closed', 'offers no dynamic client registration, and it does not accept client ID metadata documents (oauth.clientMetadataUrl)'],
        ['bare', 'offers no dynamic client registration or client ID metadata documents (oauth.clientMetadataUrl)'],
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
