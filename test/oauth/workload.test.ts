// Workload identity federation (SEP-1933, RFC 7523 jwt-bearer) against a real authorization server on
// 127.0.0.1 that verifies each JWT's signature (ES256, node:crypto), issuer, audience and expiry. The
// workload's JWT comes from a file, a program or GitHub Actions' token endpoint (a local stand-in),
// is read afresh for each grant, checked before it is sent, and never shows anywhere.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { newSigningKey, nowSeconds, signJwt } from '../helpers/jwt.js';
import { createOAuthSandbox, filesContaining, filesWithSentinel, sandboxTokenStore } from '../helpers/oauth-cli.js';
import { JWT_BEARER_GRANT } from '../helpers/oauth-grants.js';
import { SENTINEL, startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';

const PLATFORM = 'https://token.ci.example';
const platform = newSigningKey();
const stranger = newSigningKey();
const GITHUB_REQUEST_TOKEN = `${SENTINEL}-GH-REQUEST-9d1`;

describe('workload identity federation ("grant": "jwt_bearer")', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  let github: Server;
  const githubRequests: { authorization?: string; audience: string | null }[] = [];
  const jwts: string[] = [];
  const outputs: string[] = [];
  const run = async (args: string[], env?: Record<string, string>) => {
    const result = await sandbox.run(args, env ? { env } : {});
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const workloadJwt = (claims: Record<string, unknown> = {}, key = platform.privateKey) => {
    const jwt = signJwt(key, {
      iss: PLATFORM,
      sub: 'repo:acme/api:ref:refs/heads/main',
      aud: servers.issuer,
      exp: nowSeconds() + 300,
      iat: nowSeconds(),
      ...claims,
    });
    jwts.push(jwt);
    return jwt;
  };
  const jwtFile = () => join(sandbox.home, 'workload.jwt');
  const tokenRequests = () => servers.requests.filter((r) => r.path === '/token');

  beforeAll(async () => {
    servers = await startOAuthServers({ jwtBearer: { issuers: [{ issuer: PLATFORM, key: platform.publicKey }] } });
    github = createServer((req, res) => {
      const url = new URL(req.url!, 'http://127.0.0.1');
      githubRequests.push({ authorization: req.headers.authorization, audience: url.searchParams.get('audience') });
      if (req.headers.authorization !== `bearer ${GITHUB_REQUEST_TOKEN}`) return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: workloadJwt({ aud: url.searchParams.get('audience') }) }));
    });
    await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
    const oauth = (assertion: object, extra: object = {}) => ({
      url: servers.mcpUrl,
      oauth: { grant: 'jwt_bearer', issuer: servers.issuer, assertion, ...extra },
    });
    sandbox = await createOAuthSandbox({
      file: oauth({ source: 'file', path: '~/workload.jwt' }),
      // Prints the JWT it is given in its `env`, or what gives it away when mcp-cli's own key reached it.
      program: oauth({
        source: 'command',
        command: process.execPath,
        args: ['-e', 'process.stdout.write(process.env.MCP_CLI_ENCRYPTION_KEY ? "leaked" : process.env.WORKLOAD_JWT)'],
        env: { WORKLOAD_JWT: '${WORKLOAD_JWT}' },
      }),
      actions: oauth({ source: 'github-actions' }),
      // A platform that rotates: each run prints the next JWT of ~/rotation.txt.
      rotating: oauth({
        source: 'command',
        command: process.execPath,
        args: [
          '-e',
          'const fs = require("fs"); const n = Number(fs.readFileSync("rotation.n", "utf8") || 0); fs.writeFileSync("rotation.n", String(n + 1)); process.stdout.write(fs.readFileSync("rotation.txt", "utf8").split("\\n")[n] ?? "")',
        ],
        cwd: '${HOME}',
      }),
      misplaced: oauth({ source: 'command', command: process.execPath, cwd: 'no-such-directory' }),
      unpinned: { url: servers.mcpUrl, oauth: { grant: 'jwt_bearer', assertion: { source: 'file', path: '~/workload.jwt' } } },
    });
  });
  afterAll(async () => {
    await servers?.close();
    await new Promise((resolve) => github?.close(resolve));
    await sandbox?.cleanup();
  });

  it('a JWT from a file: the first call gets a token with it, no browser, no registration, no secret', async () => {
    const jwt = workloadJwt();
    await writeFile(jwtFile(), jwt, { mode: 0o600 });
    const call = await run(['call', 'file', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout.trim()).toBe('hello repo:acme/api:ref:refs/heads/main');
    const [request] = tokenRequests();
    expect(JSON.parse(request!.body)).toEqual({ grant_type: JWT_BEARER_GRANT, assertion: jwt, scope: 'mcp:tools', resource: servers.mcpUrl });
    expect(request!.authorization).toBeUndefined();
    expect(servers.bearerGrants.at(-1)).toMatchObject({ answer: 'tokens', claims: { iss: PLATFORM, aud: servers.issuer } });
    expect(servers.counters.authorize + servers.counters.register).toBe(0);
    const status = JSON.parse((await run(['auth', 'status', 'file', '--json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ grant: 'jwt_bearer', canRefresh: true, resource: servers.mcpUrl });
    expect((await run(['auth', 'status', 'file'])).stdout).toContain("Refresh:   yes (a new grant with the workload's JWT when it expires)");
  });

  it('renews before expiry with the JWT the file holds then (rotated by the platform)', async () => {
    const rotated = workloadJwt();
    await writeFile(jwtFile(), rotated);
    const store = await sandboxTokenStore(sandbox);
    const token = (await store.get({ namespace: 'oauth', name: 'file' }))!;
    // 30 s left: within the minute before expiry, so it is renewed before the request goes out.
    await store.put({ ...token, metadata: { ...token.metadata, expiresAt: new Date(Date.now() + 30_000).toISOString() } });
    const before = tokenRequests().length;
    expect((await run(['call', 'file', 'whoami'])).code).toBe(0);
    expect(
      tokenRequests()
        .slice(before)
        .map((r) => (JSON.parse(r.body) as { assertion: string }).assertion),
    ).toEqual([rotated]);
    expect(servers.counters.unauthorized).toBe(0);
  });

  it.each([
    ['expired', { exp: nowSeconds() - 60 }, /the JWT from the file ~\/workload\.jwt expired at .*, so it was not sent/],
    [
      'for another audience',
      { aud: 'https://other-as.example' },
      /is for the audience https:\/\/other-as\.example, not the authorization server .* so it was not sent/,
    ],
  ])('a JWT %s is refused here, before anything is sent (exit 4)', async (_what, claims, message) => {
    await writeFile(jwtFile(), workloadJwt(claims));
    await run(['auth', 'logout', 'file', '--local-only']);
    const before = tokenRequests().length;
    const result = await run(['call', 'file', 'whoami']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(message);
    expect(tokenRequests().length).toBe(before);
  });

  it('a JWT the server refuses: one request, a clear error naming the claim to check, no retry storm', async () => {
    await writeFile(jwtFile(), workloadJwt({}, stranger.privateKey));
    const before = tokenRequests().length;
    const result = await run(['auth', 'login', 'file']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('refused the JWT from the file ~/workload.jwt');
    expect(result.stderr).toContain('invalid_grant (JWT signature does not verify)');
    expect(result.stderr).toContain('(its source has no fresher one)');
    expect(result.stderr).toContain(`hint: check the signature (the authorization server does not trust the key of the issuer ${PLATFORM})`);
    expect(tokenRequests().length - before).toBe(1);
  });

  it.each([
    ['accepted', () => [workloadJwt({}, stranger.privateKey), workloadJwt()], 0, 2],
    ['refused too', () => [workloadJwt({}, stranger.privateKey), workloadJwt({}, stranger.privateKey)], 4, 2],
  ] as const)('after invalid_grant, a fresh JWT from the source is tried once: %s', async (_what, rotation, code, requests) => {
    await writeFile(join(sandbox.home, 'rotation.txt'), rotation().join('\n'));
    await writeFile(join(sandbox.home, 'rotation.n'), '0');
    const before = tokenRequests().length;
    const result = await run(['auth', 'login', 'rotating']);
    expect(result.code, result.stderr).toBe(code);
    expect(tokenRequests().length - before).toBe(requests);
    if (code === 4) expect(result.stderr).toContain('(a fresh JWT from the same source was refused too)');
  });

  it('a program whose directory is missing: the error names it, not the program', async () => {
    const result = await run(['auth', 'login', 'misplaced']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot start .*node: its directory .*no-such-directory does not exist \(oauth\.assertion\.cwd\)/);
  });

  it("a program's output: started without a shell and without mcp-cli's own credentials in its environment", async () => {
    const jwt = workloadJwt();
    const result = await run(['call', 'program', 'whoami'], { WORKLOAD_JWT: jwt });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(tokenRequests().at(-1)!.body)).toMatchObject({ assertion: jwt });
    const garbled = await run(['auth', 'login', 'program'], { WORKLOAD_JWT: 'not-a-jwt' });
    expect(garbled.code).toBe(1);
    expect(garbled.stderr).toContain(`the output of ${process.execPath} does not hold a JWT`);
  });

  it("GitHub Actions: the OIDC token for the issuer's audience, the request token sent to that URL only", async () => {
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${(github.address() as AddressInfo).port}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: GITHUB_REQUEST_TOKEN,
    };
    const result = await run(['call', 'actions', 'whoami'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(githubRequests.at(-1)).toEqual({ authorization: `bearer ${GITHUB_REQUEST_TOKEN}`, audience: servers.issuer });
    expect(servers.requests.some((r) => JSON.stringify(r).includes(GITHUB_REQUEST_TOKEN))).toBe(false);
    const missing = await run(['auth', 'login', 'actions']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('GitHub Actions offers no OIDC token here');
    expect(missing.stderr).toContain('permissions: id-token: write');
  });

  it('without oauth.issuer the JWT goes nowhere: the error names the issuer to pin', async () => {
    await writeFile(jwtFile(), workloadJwt());
    const before = tokenRequests().length;
    const result = await run(['auth', 'login', 'unpinned']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("'unpinned' has a workload JWT (oauth.assertion) but no oauth.issuer");
    expect(tokenRequests().length).toBe(before);
  });

  it('bad configuration is refused with the field named', async () => {
    const { writeOwnConfig } = await import('../helpers/cli.js');
    const cases: [object, string][] = [
      [{ grant: 'jwt_bearer' }, '"grant": "jwt_bearer" needs "assertion"'],
      [{ grant: 'jwt_bearer', assertion: { source: 'file' } }, '"source": "file" needs "path"'],
      [{ grant: 'jwt_bearer', assertion: { source: 'env', variable: 'MCP_CLI_ENCRYPTION_KEY' } }, "is mcp-cli's own credential"],
      [{ grant: 'jwt_bearer', assertion: { source: 'file', path: 'x', command: 'y' } }, '"command" does not apply to "source": "file"'],
      [{ assertion: { source: 'file', path: 'x' } }, '"assertion" applies only with "grant": "jwt_bearer"'],
    ];
    for (const [oauth, message] of cases) {
      await writeOwnConfig(sandbox.home, { mcpServers: { bad: { url: servers.mcpUrl, oauth } } });
      const result = await run(['auth', 'login', 'bad']);
      expect(result.code, JSON.stringify(oauth)).toBe(1);
      expect(result.stderr).toContain(message);
    }
  });

  it("never shows a JWT, the request token or an access token: outputs, files (but the platform's own), audit log", async () => {
    const audit = await run(['token', 'audit', '--json']);
    expect(audit.stdout).toContain('jwt_bearer');
    const signatures = jwts.map((jwt) => jwt.split('.')[2]!);
    for (const text of outputs) {
      expect(text).not.toContain(`${SENTINEL}-`);
      for (const signature of signatures) expect(text).not.toContain(signature);
    }
    expect(await filesWithSentinel(sandbox.home)).toEqual([]);
    expect((await filesContaining(sandbox.home, signatures)).sort()).toEqual([join(sandbox.home, 'rotation.txt'), jwtFile()].sort());
  });
});
