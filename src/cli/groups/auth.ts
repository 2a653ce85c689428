import type { Register } from './kit.js';

/** `mcp-cli auth ...`: OAuth logins to MCP servers. */
export const register: Register = (program, kit) => {
  const auth = kit
    .examples(program.command('auth'), [
      ['mcp-cli auth login notion', 'log in to a server in the browser'],
      ['mcp-cli auth status', 'every login: expiry, scopes, refresh'],
    ])
    .description('log in to MCP servers with OAuth; tokens are kept in the secure backend and refreshed automatically');

  kit
    .examples(auth.command('login'), [
      ['mcp-cli auth login notion', 'in the browser (authorization code with PKCE)'],
      ['mcp-cli auth login notion --no-browser', 'over SSH: open the printed URL elsewhere, paste back where it lands'],
      ['mcp-cli auth login notion --device', 'with a code entered on another device'],
      ['mcp-cli auth login github --account work', 'a second login beside the first, for another account'],
    ])
    .description(
      'log in to a server from server_config.json: in the browser (authorization code with PKCE), with a device code (RFC 8628), or as its own client ("grant": "client_credentials")',
    )
    .argument('<server>', 'server name in server_config.json')
    .option('--no-browser', 'print the URL and read the redirected URL pasted on stdin (SSH, headless machines)')
    .option('--device', 'log in with a code entered on another device (RFC 8628); the default when no browser can be opened and stdin is no terminal')
    .option('--scope <scopes>', 'scopes to request, space-separated (default: oauth.scopes, else what the server advertises)')
    .option('--timeout <duration>', 'how long to wait for the browser, e.g. 90s or 5m (default 5m)')
    .option('--account <name>', 'a named account\'s login, kept beside the server\'s default one (an entry picks it with "account")')
    .action(async (server, options, command) => (await import('../../commands/auth/login.js')).run(server, options, await kit.ctx(command)));

  kit
    .examples(auth.command('status'), [
      ['mcp-cli auth status', 'every login'],
      ['mcp-cli auth status notion --json', 'one server, as JSON'],
    ])
    .description('show OAuth logins: issuer, grant, client registration, scopes, expiry, refresh, audience, DPoP binding, last step-up, where it is stored')
    .argument('[server]', 'one server (default: all)')
    .option('--account <name>', "with a server: that account's login (default: the server's default login)")
    .option('--json', 'print JSON')
    .action(async (server, options, command) => (await import('../../commands/auth/status.js')).run(server, options, await kit.ctx(command)));

  kit
    .examples(auth.command('logout'), [
      ['mcp-cli auth logout notion', 'revoke the tokens, then delete them here'],
      ['mcp-cli auth logout notion --local-only --forget-client', 'delete here only, with the client registration'],
      ['mcp-cli auth logout --idp', 'sign out of your identity provider, with every login riding on it'],
      ['mcp-cli auth logout github --account work', "one account's login only; the others stay"],
    ])
    .description('revoke the tokens at the authorization server (RFC 7009) when it can, then delete them here')
    .argument('[server]', 'server name (not with --idp)')
    .option('--idp', 'sign out of your identity provider and end every login that rides on it ("idp": true)')
    .option('--account <name>', "that account's login only (default: the server's default login)")
    .option('--local-only', 'do not contact the authorization server')
    .option('--forget-client', 'also delete the stored client registration (the next login registers anew)')
    .action(async (server, options, command) => (await import('../../commands/auth/logout.js')).run(server, options, await kit.ctx(command)));

  const idp = kit
    .examples(auth.command('idp'), [['mcp-cli auth idp login', 'sign in once; every server with "idp": true gets its tokens from it']])
    .description('your enterprise identity provider (the "idp" block of your own config): one sign-in for every server with "idp": true');
  kit
    .examples(idp.command('login'), [
      ['mcp-cli auth idp login', 'sign in in the browser'],
      ['sso-tool print-id-token | mcp-cli auth idp login --id-token-stdin', 'store an ID token another tool obtained'],
    ])
    .description('sign in to your identity provider (OpenID Connect, authorization code with PKCE); the ID token and refresh token go to the secure backend')
    .option('--no-browser', 'print the URL and read the redirected URL pasted on stdin (SSH, headless machines)')
    .option('--id-token-stdin', 'store an ID token another tool of your company obtained, read from stdin, instead of signing in here')
    .option('--timeout <duration>', 'how long to wait for the browser, e.g. 90s or 5m (default 5m)')
    .action(async (options, command) => (await import('../../commands/auth/idp.js')).login(options, await kit.ctx(command)));
};
