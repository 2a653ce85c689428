import type { Register } from './kit.js';

/** `mcp-cli token ...`: storing, listing and removing tokens, their lifecycle and the storage. */
export const register: Register = (program, kit) => {
  const token = program.command('token').description('store, list and remove tokens (values are never shown unless asked for)');

  token
    .command('list')
    .description('list stored tokens (metadata only)')
    .option('--namespace <ns>', 'only this namespace')
    .option('--type <type>', 'only this type: bearer, api-key, basic, oauth, generic or client-cert')
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
    .action(async (options, command) => (await import('../../commands/token/list.js')).run(options, await kit.ctx(command)));

  token
    .command('set')
    .description('store a token (the value is read from a hidden prompt, --value -, or piped stdin)')
    .argument('<name>', 'token name')
    .option('--type <type>', 'bearer, api-key, basic, generic or client-cert (OAuth tokens come from `mcp-cli auth login`)', 'bearer')
    .option('--namespace <ns>', 'namespace (default: bearer, api-key, or generic by type)')
    .option('--provider <provider>', 'provider, e.g. openai or anthropic')
    .option('--value <value>', "the value; '-' reads it from stdin, or asks for it hidden on a terminal (a value here may land in shell history)")
    .option('--value-file <path>', 'read the value from a file (one final newline is dropped)')
    .option('--expires <when>', 'expiry: an ISO date or a duration such as 90d')
    .option('--organization <org>', 'organization (API keys)')
    .option('--project <project>', 'project (API keys)')
    .option('--username <user>', 'username (basic credentials; the password is the value)')
    .option('--cert <file>', 'PEM certificate (client-cert)')
    .option('--key <file>', 'PEM private key (client-cert)')
    .option('--ca <file>', 'PEM CA bundle to verify the server (client-cert)')
    .option('--json', 'print what was stored as JSON (metadata only)')
    .action(async (name, options, command) => (await import('../../commands/token/set.js')).run(name, options, await kit.ctx(command)));

  token
    .command('get')
    .description("show a token's metadata; --show-value prints only the value")
    .argument('<name>', 'token name')
    .option('--namespace <ns>', 'namespace (default: search all)')
    .option('--oauth', "the OAuth token of a server (namespace 'oauth')")
    .option('--show-value', 'print the bare value to stdout, for $(...) in scripts')
    .option('--json', 'print JSON (with --show-value: {"value": ...})')
    .action(async (name, options, command) => (await import('../../commands/token/get.js')).run(name, options, await kit.ctx(command)));

  token
    .command('delete')
    .description('delete a token')
    .argument('<name>', 'token name')
    .option('--namespace <ns>', 'namespace (default: search all)')
    .option('--oauth', "the OAuth token of a server (namespace 'oauth')")
    .option('--json', 'print what was deleted as JSON')
    .action(async (name, options, command) => (await import('../../commands/token/delete.js')).run(name, options, await kit.ctx(command)));

  token
    .command('clear')
    .description('delete all tokens, or all in one namespace')
    .option('--namespace <ns>', 'only this namespace')
    .option('--force', 'do not ask for confirmation (required when not interactive)')
    .option('--json', 'print what was deleted as JSON')
    .action(async (options, command) => (await import('../../commands/token/clear.js')).run(options, await kit.ctx(command)));

  token
    .command('backends')
    .description('list storage backends, whether each is available, and which is active')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../../commands/token/backends.js')).run(options, await kit.ctx(command)));

  token
    .command('rotate')
    .description("replace a token's value in one step, keeping its metadata; an OAuth token is refreshed at its authorization server")
    .argument('<name>', 'token name')
    .option('--namespace <ns>', 'namespace (default: search all)')
    .option('--oauth', "the OAuth token of a server (namespace 'oauth')")
    .option('--value <value>', "the new value; '-' reads it from stdin")
    .option('--value-file <path>', 'read the new value from a file (one final newline is dropped)')
    .option('--expires <when>', 'new expiry: an ISO date or a duration such as 90d')
    .option('--json', 'print what was rotated as JSON (metadata only)')
    .action(async (name, options, command) => (await import('../../commands/token/rotate.js')).run(name, options, await kit.ctx(command)));

  token
    .command('export')
    .description('write tokens with their metadata to an age-encrypted file (passphrase: prompt or MCP_CLI_EXPORT_PASSPHRASE)')
    .argument('<file>', 'bundle to write')
    .option('--namespace <ns>', 'only this namespace')
    .option('--force', 'replace the file if it exists')
    .action(async (file, options, command) => (await import('../../commands/token/export.js')).run(file, options, await kit.ctx(command)));

  token
    .command('import')
    .description('read tokens from an exported bundle')
    .argument('<file>', 'bundle to read')
    .option('--namespace <ns>', 'only tokens of this namespace')
    .option('--overwrite', 'replace tokens that already exist')
    .option('--skip-existing', 'keep tokens that already exist')
    .option('--dry-run', 'show what would change, write nothing')
    .action(async (file, options, command) => (await import('../../commands/token/import.js')).run(file, options, await kit.ctx(command)));

  token
    .command('check')
    .description('exit 4 when any token is expired or expires soon (for cron jobs)')
    .option('--expiring-within <duration>', 'the window, e.g. 7d (default) or 30d')
    .option('--namespace <ns>', 'only this namespace')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../../commands/token/check.js')).run(options, await kit.ctx(command)));

  token
    .command('validate')
    .description(
      'check tokens against what can judge them: expiry, the servers that use them, OAuth refresh, provider APIs (exit 4 if any is rejected or expired)',
    )
    .argument('[name]', 'token name (default: every token)')
    .option('--namespace <ns>', 'namespace (without a name: only this namespace)')
    .option('--all', 'validate every token (the default without a name)')
    .option('--json', 'print JSON')
    .action(async (name, options, command) => (await import('../../commands/token/validate.js')).run(name, options, await kit.ctx(command)));

  token
    .command('passphrase')
    .description(
      'change the passphrase of the encrypted token file (new one from a prompt or MCP_CLI_NEW_ENCRYPTION_KEY); every token is re-encrypted under a new key',
    )
    .action(async (_options, command) => (await import('../../commands/token/passphrase.js')).run(await kit.ctx(command)));

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
    .action(async (options, command) => (await import('../../commands/token/audit.js')).run(options, await kit.ctx(command)));

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
    .action(async (options, command) => (await import('../../commands/token/migrate.js')).run(options, await kit.ctx(command)));

  token
    .command('unlock')
    .description(
      "ask the encrypted file's passphrase once (or take MCP_CLI_ENCRYPTION_KEY) and keep the file unlocked for this user until the timeout or `token lock`",
    )
    .option('--timeout <duration>', 'how long it stays unlocked, e.g. 15m (default), 2h or 1d; at most 7d')
    .action(async (options, command) => (await import('../../commands/token/unlock.js')).run(options, await kit.ctx(command)));

  token
    .command('lock')
    .description('end every unlock session of this user now: the keys are forgotten and the agent stops')
    .action(async (_options, command) => (await import('../../commands/token/lock.js')).run(await kit.ctx(command)));
};
