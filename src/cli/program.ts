import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { processIo, type Ctx, type GlobalOptions, type Io } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { withFactory } from '../commands/shared/factory.js';
import { reportError } from './report-error.js';

type AnyCommand = { optsWithGlobals(): Record<string, unknown> };

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** What happens when a command that ends with a status of its own (`run`, `exec`: their program's) ends. */
export type EndWith = (status: number) => void;

/**
 * The command table. Each action imports its command module only when it runs, and runs it with
 * a Ctx made from `io` and the global options; commander's own output goes to `io` too.
 */
export function buildProgram(io: Io, endWith: EndWith = () => undefined): Command {
  const ctxFor = (command: AnyCommand, extra: Partial<GlobalOptions> = {}): Ctx => {
    const globals = command.optsWithGlobals() as { tokenBackend?: string; config?: string };
    return withFactory(Object.assign(Object.create(io) as Io, { globals: { tokenBackend: globals.tokenBackend, config: globals.config, ...extra } }));
  };
  const program = new Command()
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
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
    .addOption(new Option('--type <type>', 'bearer, api-key, basic, generic or client-cert').default('bearer'))
    .option('--namespace <ns>', 'namespace (default: bearer, api-key, or generic by type)')
    .option('--provider <provider>', 'provider, e.g. openai or anthropic')
    .option('--value <value>', "the value; '-' reads it from stdin, or asks for it hidden on a terminal (a value here may land in shell history)")
    .option('--expires <when>', 'expiry: an ISO date or a duration such as 90d')
    .option('--organization <org>', 'organization (API keys)')
    .option('--project <project>', 'project (API keys)')
    .option('--username <user>', 'username (basic credentials; the password is the value)')
    .option('--cert <file>', 'PEM certificate (client-cert)')
    .option('--key <file>', 'PEM private key (client-cert)')
    .option('--ca <file>', 'PEM CA bundle to verify the server (client-cert)')
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

  token
    .command('rotate')
    .description("replace a token's value in one step, keeping its metadata; an OAuth token is refreshed at its authorization server")
    .argument('<name>', 'token name')
    .option('--namespace <ns>', 'namespace (default: search all)')
    .option('--oauth', "the OAuth token of a server (namespace 'oauth')")
    .option('--value <value>', "the new value; '-' reads it from stdin")
    .option('--expires <when>', 'new expiry: an ISO date or a duration such as 90d')
    .action(async (name, options, command) => (await import('../commands/token/rotate.js')).run(name, options, ctxFor(command)));

  token
    .command('export')
    .description('write tokens with their metadata to an age-encrypted file (passphrase: prompt or MCP_CLI_EXPORT_PASSPHRASE)')
    .argument('<file>', 'bundle to write')
    .option('--namespace <ns>', 'only this namespace')
    .option('--force', 'replace the file if it exists')
    .action(async (file, options, command) => (await import('../commands/token/export.js')).run(file, options, ctxFor(command)));

  token
    .command('import')
    .description('read tokens from an exported bundle')
    .argument('<file>', 'bundle to read')
    .option('--namespace <ns>', 'only tokens of this namespace')
    .option('--overwrite', 'replace tokens that already exist')
    .option('--skip-existing', 'keep tokens that already exist')
    .option('--dry-run', 'show what would change, write nothing')
    .action(async (file, options, command) => (await import('../commands/token/import.js')).run(file, options, ctxFor(command)));

  token
    .command('check')
    .description('exit 4 when any token is expired or expires soon (for cron jobs)')
    .option('--expiring-within <duration>', 'the window, e.g. 7d (default) or 30d')
    .option('--namespace <ns>', 'only this namespace')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../commands/token/check.js')).run(options, ctxFor(command)));

  token
    .command('validate')
    .description(
      'check tokens against what can judge them: expiry, the servers that use them, OAuth refresh, provider APIs (exit 4 if any is rejected or expired)',
    )
    .argument('[name]', 'token name (default: every token)')
    .option('--namespace <ns>', 'namespace (without a name: only this namespace)')
    .option('--all', 'validate every token (the default without a name)')
    .option('--json', 'print JSON')
    .action(async (name, options, command) => (await import('../commands/token/validate.js')).run(name, options, ctxFor(command)));

  token
    .command('passphrase')
    .description(
      'change the passphrase of the encrypted token file (new one from a prompt or MCP_CLI_NEW_ENCRYPTION_KEY); every token is re-encrypted under a new key',
    )
    .action(async (_options, command) => (await import('../commands/token/passphrase.js')).run(ctxFor(command)));

  token
    .command('audit')
    .description('show the audit log of token access (never values); --verify checks its hash chain')
    .option('--since <when>', 'entries since a duration ago (7d) or an ISO date')
    .option('--name <name>', 'only this token name')
    .option('--namespace <ns>', 'only this namespace')
    .option('--action <action>', 'only this action (created, read, updated, rotated, deleted, ...)')
    .option(
      '--verify',
      'verify the hash chain and its anchor in the secure backend: exit 1 if a line was edited or removed, entries cut from the start or end, or the log emptied, deleted or replaced',
    )
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../commands/token/audit.js')).run(options, ctxFor(command)));

  // Storage integrity: moving tokens between backends, unlock sessions for the encrypted file.
  token
    .command('migrate')
    .description(
      'move every token of one backend into the active one (or --to), metadata unchanged; each is deleted from the source only once written and read back',
    )
    .requiredOption('--from <backend>', 'the backend to move tokens out of: keychain, credential-manager, secret-service, vault, encrypted')
    .option('--to <backend>', 'the backend to move them into (default: the active backend; the same as --token-backend)')
    .option('--overwrite', 'replace tokens that exist in the destination with other values')
    .option('--skip-existing', 'keep tokens that exist in the destination (their source copies stay)')
    .option('--dry-run', 'show what would be moved, write nothing')
    .action(async (options, command) => (await import('../commands/token/migrate.js')).run(options, ctxFor(command)));

  token
    .command('unlock')
    .description(
      "ask the encrypted file's passphrase once (or take MCP_CLI_ENCRYPTION_KEY) and keep the file unlocked for this user until the timeout or `token lock`",
    )
    .option('--timeout <duration>', 'how long it stays unlocked, e.g. 15m (default), 2h or 1d; at most 7d')
    .action(async (options, command) => (await import('../commands/token/unlock.js')).run(options, ctxFor(command)));

  token
    .command('lock')
    .description('end every unlock session of this user now: the keys are forgotten and the agent stops')
    .action(async (_options, command) => (await import('../commands/token/lock.js')).run(ctxFor(command)));

  // MCP servers from server_config.json: these commands load the MCP SDK and zod, only when they run.
  program
    .command('servers')
    .description('list configured servers and the state of the tokens they reference (connects to nothing)')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../commands/servers.js')).run(options, ctxFor(command)));

  program
    .command('ping')
    .description('connect to a server, initialize, and print its name, version and round-trip time')
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

  program
    .command('run')
    .summary('what an MCP client starts: a server of server_config.json on stdin/stdout, with its credentials')
    .description(
      'run a server of server_config.json for an MCP client on stdin/stdout: a stdio server with its resolved env, or a bridge to an HTTP server with its headers and OAuth login (see docs/run.md)',
    )
    .argument('<server>', 'server name in server_config.json (--config, else $MCP_CLI_CONFIG, else the config directory: never ./server_config.json)')
    .option('--no-masking', "leave the server's secrets in the messages to the client (its stderr stays masked)")
    .action(async (server, options, command) =>
      endWith(await (await import('../commands/run.js')).run(server, options, ctxFor(command, { workingDirectoryConfig: false }), { signals: process })),
    );

  program
    .command('exec')
    .summary('run a program with tokens from the store in its environment; its output masked')
    .description(
      'run a program with environment variables whose values may hold ${TOKEN:ns:name} and ${VAR} references; its output is masked (see docs/run.md)',
    )
    .usage('[--env NAME=VALUE]... [--env-file FILE]... [--no-masking] -- COMMAND [ARGS...]')
    .argument('[command...]', 'the program and its arguments, after --')
    .option('--env <NAME=VALUE>', 'a variable for the program (repeatable; wins over --env-file)', collect)
    .option('--env-file <file>', 'read NAME=VALUE lines from a file (repeatable; see docs/run.md#env-files)', collect)
    .option('--no-masking', "relay the program's output untouched")
    .action(async (argv, options, command) => {
      // Only what follows `--` is the program: an option after it is the program's, never mcp-cli's.
      const raw = (command.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? [];
      const dashes = raw.indexOf('--');
      if (argv.length > 0 && (dashes < 0 || raw.length - dashes - 1 !== argv.length))
        throw new CliError('put the program after --', 1, 'usage: mcp-cli exec [--env NAME=VALUE]... [--env-file FILE] -- COMMAND [ARGS...]');
      endWith(await (await import('../commands/exec.js')).run(argv, options, ctxFor(command), { signals: process }));
    });

  // MCP clients' own config files: jsonc-parser and yaml load only with these commands.
  // `clients` has options of its own (--project, --json) that commander hands it wherever they stand, so its subcommands take them from there too.
  const withParent = <T extends object>(options: T, command: { parent: { opts(): object } | null }): T => ({ ...command.parent?.opts(), ...options });
  const clients = program
    .command('clients')
    .summary("find plaintext secrets in MCP clients' configs, move them into the token store, and wire the clients to mcp-cli run")
    .description(
      'list the MCP clients whose configs are found (Claude Desktop, Claude Code, Cursor, VS Code, Windsurf, Zed, Goose), their servers, and the values that look like plaintext secrets: by name, kind and a masked hint, never the value (see docs/clients.md)',
    )
    .option('--project <dir>', "a project's files (.mcp.json, .cursor/mcp.json, .vscode/mcp.json) instead of your own")
    .option('--check', 'exit 1 when a plaintext secret is found (for CI and pre-commit hooks)')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../commands/clients/clients-list.js')).run(options, ctxFor(command)));

  clients
    .command('import')
    .description(
      "move a client's plaintext secrets into the token store, its servers into your server_config.json with ${TOKEN:...} references, and rewrite its entries to start mcp-cli run NAME; the plan is shown first",
    )
    .argument('<client>', 'claude-desktop, claude-code, cursor, vscode, windsurf, zed or goose')
    .option('--project <dir>', "the project's file (shared with a team) instead of your own")
    .option('--servers <names>', 'only these servers, comma-separated (also ones without a secret)')
    .option('--dry-run', 'show the plan and a diff of each file, write nothing')
    .option('--rename', 'give tokens and servers whose names are taken a free name (name-2, ...)')
    .option('--overwrite', 'replace tokens and servers whose names are taken (restore puts them back)')
    .option('--command <path>', 'what the rewritten entries start (default: mcp-cli when it is on PATH, else node and this script by absolute paths)')
    .option('--json', 'print the plan as JSON')
    .action(async (client, options, command) =>
      (await import('../commands/clients/clients-import.js')).run(client, withParent(options, command), ctxFor(command)),
    );

  clients
    .command('install')
    .description("add an entry that starts mcp-cli run SERVER, for a server of your server_config.json, to a client's file")
    .argument('<server>', 'server name in your server_config.json')
    .requiredOption('--client <client>', 'claude-desktop, claude-code, cursor, vscode, windsurf, zed or goose')
    .option('--project <dir>', "the project's file instead of your own")
    .option('--command <path>', 'what the entry starts (default: as for clients import)')
    .option('--overwrite', 'replace an entry of that name (one without plaintext secrets)')
    .action(async (server, options, command) =>
      (await import('../commands/clients/clients-install.js')).run(server, withParent(options, command), ctxFor(command)),
    );

  clients
    .command('restore')
    .description(
      "put a client's files back as they were before its imports (byte for byte), and take out what the imports added to server_config.json and the token store",
    )
    .argument('<client>', 'claude-desktop, claude-code, cursor, vscode, windsurf, zed or goose')
    .action(async (client, _options, command) => (await import('../commands/clients/clients-restore.js')).run(client, ctxFor(command)));

  const config = program.command('config').description('server_config.json: show it resolved, and approve files that are not your own');
  config
    .command('show')
    .description('the resolved config, with every value from a reference masked')
    .argument('[server]', 'only this server')
    .option('--json', 'print JSON')
    .action(async (server, options, command) => (await import('../commands/config/show.js')).run(server, options, ctxFor(command)));

  config
    .command('trust')
    .description(
      'approve a config file that is not your own (default: the one used here), after showing what it would make mcp-cli do; any edit needs approval again',
    )
    .argument('[path]', 'the config file (default: --config, $MCP_CLI_CONFIG, or ./server_config.json)')
    .option('--list', 'list the approved files and whether each is unchanged')
    .option('--json', 'with --list: print JSON')
    .action(async (path, options, command) => (await import('../commands/config/trust.js')).run(path, options, ctxFor(command)));

  config
    .command('untrust')
    .description('remove the approval of a config file')
    .argument('[path]', 'the config file (default: the one used here)')
    .action(async (path, _options, command) => (await import('../commands/config/trust.js')).untrust(path, ctxFor(command)));

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
export async function runCli(args: string[], io: Io = processIo({}), options: { exitAfterProgram?: boolean } = {}): Promise<number> {
  let status: number | undefined;
  const endWith: EndWith = (code) => {
    status = code;
    // run and exec end once their program has: whatever still holds the event loop then does not hold mcp-cli.
    if (options.exitAfterProgram) setTimeout(() => process.exit(code), 2000).unref();
  };
  try {
    await buildProgram(io, endWith).parseAsync(args, { from: 'user' });
    return status ?? ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? ExitCode.ok : ExitCode.failure;
    }
    return reportError(error, io);
  }
}
