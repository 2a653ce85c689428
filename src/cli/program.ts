import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { createProcessContext, type Ctx } from '../context.js';
import { CliError, ExitCode } from '../errors.js';

type AnyCommand = { optsWithGlobals(): Record<string, unknown> };

function ctxFor(command: AnyCommand): Ctx {
  const globals = command.optsWithGlobals() as { tokenBackend?: string; config?: string };
  return createProcessContext({ tokenBackend: globals.tokenBackend, config: globals.config });
}

/** The command table. Each action imports its command module only when it runs. */
export function buildProgram(): Command {
  const program = new Command()
    .name('mcp-cli')
    .description('Secure credentials for MCP servers: OS keychain, HashiCorp Vault or an encrypted file')
    .version(MCP_CLI_VERSION)
    .option('--token-backend <name>', 'token storage backend: auto, keychain, credential-manager, secret-service, vault, encrypted')
    .option('--config <path>', 'server_config.json to use (default: $MCP_CLI_CONFIG, ./server_config.json, then the config directory)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const token = program.command('token').description('store, list and remove tokens (values are never shown unless asked for)');

  token
    .command('list')
    .description('list stored tokens (metadata only)')
    .option('--namespace <ns>', 'only this namespace')
    .option('--oauth', 'include OAuth tokens (with other type switches: only the switched-on types)')
    .option('--no-oauth', 'exclude OAuth tokens')
    .option('--bearer', 'include bearer tokens')
    .option('--no-bearer', 'exclude bearer tokens')
    .option('--api-keys', 'include API keys')
    .option('--no-api-keys', 'exclude API keys')
    .option('--basic', 'include basic credentials')
    .option('--no-basic', 'exclude basic credentials')
    .option('--generic', 'include generic tokens')
    .option('--no-generic', 'exclude generic tokens')
    .option('--client-certs', 'include client certificates')
    .option('--no-client-certs', 'exclude client certificates')
    .option('--expired', 'only expired tokens')
    .option('--expiring-within <duration>', 'only tokens expired or expiring within a duration such as 7d')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../commands/token/list.js')).run(options, ctxFor(command)));

  token
    .command('set')
    .description('store a token (the value is read from a hidden prompt, --value -, or piped stdin)')
    .argument('<name>', 'token name')
    .addOption(new Option('--type <type>', 'bearer, api-key, basic or generic').default('bearer'))
    .option('--namespace <ns>', 'namespace (default: bearer, api-key, or generic by type)')
    .option('--provider <provider>', 'provider, e.g. openai or anthropic')
    .option('--value <value>', "the value; '-' reads it from stdin (a value here may land in shell history)")
    .option('--expires <when>', 'expiry: an ISO date or a duration such as 90d')
    .option('--organization <org>', 'organization (API keys)')
    .option('--project <project>', 'project (API keys)')
    .option('--username <user>', 'username (basic credentials; the password is the value)')
    .action(async (name, options, command) => (await import('../commands/token/set.js')).run(name, options, ctxFor(command)));

  token
    .command('get')
    .description("show a token's metadata; --show-value prints only the value")
    .argument('<name>', 'token name')
    .option('--namespace <ns>', 'namespace (default: search all)')
    .option('--oauth', "the OAuth token of a server (namespace 'oauth')")
    .option('--show-value', 'print the bare value to stdout, for $(...) in scripts')
    .option('--json', 'print JSON')
    .action(async (name, options, command) => (await import('../commands/token/get.js')).run(name, options, ctxFor(command)));

  token
    .command('delete')
    .description('delete a token')
    .argument('<name>', 'token name')
    .option('--namespace <ns>', 'namespace (default: search all)')
    .option('--oauth', "the OAuth token of a server (namespace 'oauth')")
    .action(async (name, options, command) => (await import('../commands/token/delete.js')).run(name, options, ctxFor(command)));

  token
    .command('clear')
    .description('delete all tokens, or all in one namespace')
    .option('--namespace <ns>', 'only this namespace')
    .option('--force', 'do not ask for confirmation (required when not interactive)')
    .action(async (options, command) => (await import('../commands/token/clear.js')).run(options, ctxFor(command)));

  token
    .command('backends')
    .description('list storage backends, whether each is available, and which is active')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../commands/token/backends.js')).run(options, ctxFor(command)));

  // MCP servers from server_config.json: these commands load the MCP SDK and zod, only when they run.
  program
    .command('servers')
    .description('list configured servers and the state of the tokens they reference (connects to nothing)')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../commands/servers.js')).run(options, ctxFor(command)));

  program
    .command('ping')
    .description("connect to a server, initialize, and print its name, version and round-trip time")
    .argument('<server>', 'server name in server_config.json')
    .option('--json', 'print JSON')
    .action(async (server, options, command) => (await import('../commands/ping.js')).run(server, options, ctxFor(command)));

  program
    .command('tools')
    .description("list a server's tools")
    .argument('<server>', 'server name in server_config.json')
    .option('--json', 'print JSON')
    .action(async (server, options, command) => (await import('../commands/tools.js')).run(server, options, ctxFor(command)));

  program
    .command('call')
    .description('call one tool of a server and print its result')
    .argument('<server>', 'server name in server_config.json')
    .argument('<tool>', 'tool name')
    .option('--args <json>', 'the tool arguments as a JSON object')
    .option('--json', 'print the whole result as JSON')
    .action(async (server, tool, options, command) => (await import('../commands/call.js')).run(server, tool, options, ctxFor(command)));

  const config = program.command('config').description('server_config.json');
  config
    .command('show')
    .description('the resolved config, with every value from a reference masked')
    .argument('[server]', 'only this server')
    .option('--json', 'print JSON')
    .action(async (server, options, command) => (await import('../commands/config/show.js')).run(server, options, ctxFor(command)));

  const auth = program.command('auth').description('log in to MCP servers with OAuth; tokens are kept in the secure backend and refreshed automatically');

  auth
    .command('login')
    .description('log in to a server from server_config.json in the browser (authorization code with PKCE)')
    .argument('<server>', 'server name in server_config.json')
    .option('--no-browser', 'print the URL and read the redirected URL pasted on stdin (SSH, headless machines)')
    .option('--scope <scopes>', 'scopes to request, space-separated (default: oauth.scopes, else what the server advertises)')
    .option('--timeout <duration>', 'how long to wait for the browser, e.g. 90s or 5m (default 5m)')
    .action(async (server, options, command) => (await import('../commands/auth/login.js')).run(server, options, ctxFor(command)));

  auth
    .command('status')
    .description('show OAuth logins: issuer, scopes, expiry, whether it can refresh, where it is stored')
    .argument('[server]', 'one server (default: all)')
    .option('--json', 'print JSON')
    .action(async (server, options, command) => (await import('../commands/auth/status.js')).run(server, options, ctxFor(command)));

  auth
    .command('logout')
    .description('revoke the tokens at the authorization server (RFC 7009) when it can, then delete them here')
    .argument('<server>', 'server name')
    .option('--local-only', 'do not contact the authorization server')
    .option('--forget-client', 'also delete the stored client registration (the next login registers anew)')
    .action(async (server, options, command) => (await import('../commands/auth/logout.js')).run(server, options, ctxFor(command)));

  return program;
}

/** Runs the CLI and returns the exit code. The one place where errors become messages. */
export async function runCli(args: string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    await buildProgram().parseAsync(args, { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? ExitCode.ok : ExitCode.failure;
    }
    if (error instanceof CliError) {
      stderr.write(`error: ${error.message}\n`);
      if (error.hint) stderr.write(`hint: ${error.hint}\n`);
      return error.exitCode;
    }
    stderr.write(`error: ${(error as Error).message ?? String(error)}\n`);
    if (process.env.MCP_CLI_DEBUG) stderr.write(`${(error as Error).stack}\n`);
    return ExitCode.failure;
  }
}
