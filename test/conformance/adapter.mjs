// The client the MCP conformance suite (@modelcontextprotocol/conformance) launches for a client
// scenario: `node adapter.mjs SERVER_URL`, with MCP_CONFORMANCE_SCENARIO and, for some scenarios,
// MCP_CONFORMANCE_CONTEXT (client credentials, a workload's JWT, an identity provider's ID token, a
// pre-registered client). It drives mcp-cli as a
// user would: a throw-away HOME and server_config.json naming the scenario's server, `mcp-cli tools`
// and `mcp-cli call`, and, when a command exits 4 asking for a login (`mcp-cli auth login ...`), that
// login, with a browser that approves at once (browser.mjs); when it asks for an `oauth` block (a
// server without OAuth metadata), that block. It calls every tool the server lists (or the calls the
// scenario's context names), answering a question the server asks with its defaults
// (`call --accept-defaults`), and exits 0 only when the tools were listed and every call succeeded.
// Run by scripts/conformance.mjs.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// MCP_CLI_CONFORMANCE_CLI: another build to measure (scripts/conformance.mjs --cli), such as the one before a change.
const CLI = process.env.MCP_CLI_CONFORMANCE_CLI ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const BROWSER = fileURLToPath(new URL('./browser.mjs', import.meta.url));
/**
 * mcp-cli trusts the config directory of the account's home (the user database), not HOME: loaded before
 * it, this module makes the sandbox that home, so its config is the user's own and the real home is never read.
 */
const ACCOUNT_HOME = new URL('../helpers/account-home.mjs', import.meta.url).href;
const SERVER = 'conformance';
/** The client ID metadata document URL the suite's authorization servers expect (auth/basic-cimd); a context may name another. */
const SUITE_CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';
/** Scenarios whose server answers tools/list only: listing is all a client can do there. */
const LIST_ONLY = new Set(['json-schema-ref-no-deref']);
/** Variables of the machine that would change what mcp-cli does. */
const LEAKY = /^(MCP_CLI_|MCP_CONFORMANCE_|VAULT_|XDG_|DBUS_SESSION_BUS_ADDRESS$|BROWSER$)/;

const serverUrl = process.argv[process.argv.length - 1];
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');
const log = (line) => process.stderr.write(`adapter: ${line}\n`);

/** The audience of a JWT: the authorization server a workload's JWT was issued for. */
const audienceOf = (jwt) => [JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).aud].flat()[0];

/** The authorization server the MCP server names in its protected resource metadata, as a platform team reads it before writing `oauth.issuer`. */
async function namedAuthorizationServer() {
  const url = new URL(serverUrl);
  const response = await globalThis.fetch(`${url.origin}/.well-known/oauth-protected-resource${url.pathname}`);
  return (await response.json()).authorization_servers[0];
}

/** Where a workload's JWT lies in the sandbox (auth/wif-jwt-bearer): a file the platform wrote. */
const WORKLOAD_JWT = 'workload.jwt';

/** The `oauth` block the scenario's context calls for: a machine client, a workload, a server riding on the identity provider, or a client registered in advance. */
function oauthFor(ctx) {
  if (ctx.name === 'auth/client-credentials-basic')
    return { grant: 'client_credentials', clientId: ctx.client_id, clientSecret: ctx.client_secret, issuer: namedIssuer };
  if (ctx.name === 'auth/client-credentials-jwt')
    return { grant: 'client_credentials', clientId: ctx.client_id, privateKey: ctx.private_key_pem, issuer: namedIssuer };
  if (scenario === 'auth/wif-jwt-bearer')
    return { grant: 'jwt_bearer', clientId: ctx.client_id, issuer: audienceOf(ctx.valid_jwt), assertion: { source: 'file', path: WORKLOAD_JWT } };
  if (scenario === 'auth/enterprise-managed-authorization') return { idp: true, clientId: ctx.client_id, clientSecret: ctx.client_secret, issuer: namedIssuer };
  // A pre-registered client, with the authorization server it was registered with (a secret goes to that one only).
  if (ctx.client_id !== undefined)
    return {
      clientId: ctx.client_id,
      ...(ctx.client_secret !== undefined ? { clientSecret: ctx.client_secret } : {}),
      ...(ctx.issuer !== undefined ? { issuer: ctx.issuer } : {}),
    };
  return undefined;
}

function configFor(oauthBlock) {
  const oauth = oauthFor(context) ?? oauthBlock;
  return {
    mcpServers: { [SERVER]: { url: serverUrl, ...(oauth ? { oauth } : {}) } },
    // The suite's authorization servers accept only their own document URL as a client ID.
    oauth: { clientMetadataUrl: context.client_metadata_url ?? SUITE_CLIENT_METADATA_URL },
    ...(context.idp_issuer !== undefined ? { idp: { issuer: context.idp_issuer, clientId: context.idp_client_id } } : {}),
  };
}

/** Machine clients and servers riding on the identity provider send credentials only to the `oauth.issuer` they name. */
const NAMES_ISSUER = ['auth/client-credentials-basic', 'auth/client-credentials-jwt', 'auth/enterprise-managed-authorization'];
const namedIssuer = NAMES_ISSUER.includes(scenario) ? await namedAuthorizationServer() : undefined;

async function sandbox() {
  const home = await mkdtemp(join(tmpdir(), 'mcp-cli-conformance-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !LEAKY.test(name)));
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    MCP_CLI_TOKEN_BACKEND: 'encrypted',
    MCP_CLI_ENCRYPTION_KEY: randomBytes(24).toString('base64url'),
    MCP_CLI_BROWSER: `${process.execPath} ${BROWSER}`,
    TEST_ACCOUNT_HOME: home,
  });
  const box = { home, env, config: join(home, '.config', 'mcp-cli', 'server_config.json') };
  await mkdir(join(home, '.config', 'mcp-cli'), { recursive: true });
  await writeFile(box.config, JSON.stringify(configFor(), null, 2));
  if (context.valid_jwt !== undefined) await writeFile(join(box.home, '.config', 'mcp-cli', WORKLOAD_JWT), context.valid_jwt, { mode: 0o600 });
  return box;
}

/** One mcp-cli command, without a terminal; its stderr is relayed (the suite keeps it with the results). */
function mcpCli(box, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', ACCOUNT_HOME, CLI, ...args], {
      cwd: box.home,
      env: box.env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      log(`mcp-cli ${args.join(' ')} -> exit ${code}`);
      if (stderr) process.stderr.write(`${stderr.trimEnd().replace(/^/gm, '  | ')}\n`);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The login an exit 4 asks for (`run mcp-cli auth login NAME [--scope S]`), as arguments. */
function loginAskedFor(stderr) {
  const match = new RegExp(`mcp-cli auth login ${SERVER}(?: --scope (?:'([^']*)'|([^\\s\`]+)))?`).exec(stderr);
  if (!match) return undefined;
  const scope = match[1] ?? match[2];
  return ['auth', 'login', SERVER, ...(scope !== undefined ? ['--scope', scope] : [])];
}

/** How many logins one command may ask for: the first, and one more after the server moved to another authorization server (SEP-2352). */
const LOGINS_PER_COMMAND = 2;

/**
 * A command, as a user runs it: when it asks for an `oauth` block (once) or a login (at most
 * LOGINS_PER_COMMAND times), that, then the command again.
 */
async function withLogin(box, args) {
  let result = await mcpCli(box, args);
  if (result.code === 4 && result.stderr.includes('add "oauth": {} to its entry')) {
    await writeFile(box.config, JSON.stringify(configFor({}), null, 2));
    result = await mcpCli(box, args);
  }
  for (let logins = 0; logins < LOGINS_PER_COMMAND; logins++) {
    const login = result.code === 4 ? loginAskedFor(result.stderr) : undefined;
    if (!login) return result;
    const logged = await mcpCli(box, login);
    if (logged.code !== 0) return logged;
    result = await mcpCli(box, args);
  }
  return result;
}

/** Arguments that satisfy a tool's input schema: each required property with a value of its type. */
function argumentsFor(schema) {
  const value = (property) => {
    if (property?.default !== undefined) return property.default;
    if (Array.isArray(property?.enum)) return property.enum[0];
    const type = Array.isArray(property?.type) ? property.type[0] : property?.type;
    return { number: 2, integer: 2, boolean: true, array: [], object: {}, null: null }[type] ?? 'test';
  };
  const properties = schema?.properties ?? {};
  return Object.fromEntries((schema?.required ?? []).map((name) => [name, value(properties[name])]));
}

/**
 * The calls to make, as a user of a server would: the ones the scenario names with their arguments
 * (its context's `toolCalls`), else each listed tool once, with arguments its input schema accepts.
 */
function callsFor(tools) {
  if (Array.isArray(context.toolCalls)) return context.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments ?? {} }));
  return tools.map((tool) => ({ name: tool.name, arguments: argumentsFor(tool.inputSchema) }));
}

async function main() {
  const box = await sandbox();
  try {
    // The user's one sign-in to the identity provider: here the suite's IdP issued the ID token already.
    if (context.idp_id_token !== undefined) {
      const signedIn = await mcpCli(box, ['auth', 'idp', 'login', '--id-token-stdin'], context.idp_id_token);
      if (signedIn.code !== 0) return signedIn.code ?? 1;
    }
    const listed = await withLogin(box, ['tools', SERVER, '--json']);
    if (listed.code !== 0) return listed.code ?? 1;
    const tools = JSON.parse(listed.stdout);
    log(`listed ${tools.length} tool(s)`);
    if (LIST_ONLY.has(scenario)) return 0;
    let code = 0;
    for (const call of callsFor(tools)) {
      // No one is at a terminal to answer a question the server asks: the server's defaults, or a decline.
      const called = await withLogin(box, ['call', SERVER, call.name, '--args', JSON.stringify(call.arguments), '--accept-defaults', '--json']);
      if (called.code !== 0) code = called.code ?? 1;
    }
    return code;
  } finally {
    await rm(box.home, { recursive: true, force: true });
  }
}

process.exitCode = await main();
