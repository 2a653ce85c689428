import type { Register } from './kit.js';

/** `mcp-cli token ...`: storing, listing and removing tokens, their lifecycle and the storage. */
export const register: Register = (program, kit) => {
  const token = kit
    .examples(program.command('token'), [
      ['mcp-cli token set my-api --type bearer', 'store a bearer token; the value is asked for, hidden'],
      ['mcp-cli token list', 'what is stored (metadata only, never values)'],
      ['mcp-cli token get my-api --show-value', 'the bare value, for a script'],
    ])
    .description('store, list and remove tokens (values are never shown unless asked for)');

  kit
    .examples(token.command('list'), [
      ['mcp-cli token list', 'every token: metadata only, never values'],
      ['mcp-cli token list --no-oauth --api-keys', 'only API keys, OAuth tokens left out'],
      ['mcp-cli token list --namespace team --json', 'one namespace, as JSON'],
      ['mcp-cli token list --expiring-within 7d', 'tokens expired or expiring within a week'],
    ])
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

  kit
    .examples(token.command('set'), [
      ['mcp-cli token set my-server --type bearer', 'a bearer token, its value asked for on the terminal, hidden'],
      ['echo "$KEY" | mcp-cli token set openai --type api-key --provider openai', 'an API key from a pipe, with its provider'],
      ['mcp-cli token set jira --type basic --username me@example.com', 'a username and password (the password is the value)'],
      ['mcp-cli token set corp --type client-cert --cert me.pem --key me.key', 'a client certificate for mutual TLS'],
      ['mcp-cli token set ci-token --value-file token.txt --expires 90d', 'from a file, with an expiry'],
    ])
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

  kit
    .examples(token.command('get'), [
      ['mcp-cli token get my-server', "a token's metadata"],
      ['export OPENAI_API_KEY=$(mcp-cli token get openai --show-value)', 'the bare value, for a script'],
      ['mcp-cli token get notion --oauth --json', 'the OAuth login of a server, as JSON (no value)'],
    ])
    .description("show a token's metadata; --show-value prints only the value")
    .argument('<name>', 'token name')
    .option('--namespace <ns>', 'namespace (default: search all)')
    .option('--oauth', "the OAuth token of a server (namespace 'oauth')")
    .option('--show-value', 'print the bare value to stdout, for $(...) in scripts')
    .option('--json', 'print JSON (with --show-value: {"value": ...})')
    .action(async (name, options, command) => (await import('../../commands/token/get.js')).run(name, options, await kit.ctx(command)));

  kit
    .examples(token.command('delete'), [
      ['mcp-cli token delete my-server', 'delete a token (its namespace is found)'],
      ['mcp-cli token delete openai --namespace api-key', 'where a name is in several namespaces'],
      ['mcp-cli token delete notion --oauth', "a server's OAuth token"],
    ])
    .description('delete a token')
    .argument('<name>', 'token name')
    .option('--namespace <ns>', 'namespace (default: search all)')
    .option('--oauth', "the OAuth token of a server (namespace 'oauth')")
    .option('--json', 'print what was deleted as JSON')
    .action(async (name, options, command) => (await import('../../commands/token/delete.js')).run(name, options, await kit.ctx(command)));

  kit
    .examples(token.command('clear'), [
      ['mcp-cli token clear --namespace test', 'every token of one namespace, after a confirmation'],
      ['mcp-cli token clear --namespace test --force', 'without asking (scripts)'],
    ])
    .description('delete all tokens, or all in one namespace')
    .option('--namespace <ns>', 'only this namespace')
    .option('--force', 'do not ask for confirmation (required when not interactive)')
    .option('--json', 'print what was deleted as JSON')
    .action(async (options, command) => (await import('../../commands/token/clear.js')).run(options, await kit.ctx(command)));

  kit
    .examples(token.command('backends'), [
      ['mcp-cli token backends', 'which backends work here, and which one is used'],
      ['mcp-cli --token-backend vault token backends --json', 'as JSON, with another backend chosen'],
    ])
    .description('list storage backends, whether each is available, and which is active')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../../commands/token/backends.js')).run(options, await kit.ctx(command)));

  kit
    .examples(token.command('rotate'), [
      ['mcp-cli token rotate my-api', 'a new value, asked for hidden; metadata kept'],
      ['mcp-cli token rotate ci-token --value-file new.txt --expires 90d', 'from a file, with a new expiry'],
      ['mcp-cli token rotate notion --oauth', 'refresh an OAuth token at its authorization server'],
    ])
    .description("replace a token's value in one step, keeping its metadata; an OAuth token is refreshed at its authorization server")
    .argument('<name>', 'token name')
    .option('--namespace <ns>', 'namespace (default: search all)')
    .option('--oauth', "the OAuth token of a server (namespace 'oauth')")
    .option('--value <value>', "the new value; '-' reads it from stdin")
    .option('--value-file <path>', 'read the new value from a file (one final newline is dropped)')
    .option('--expires <when>', 'new expiry: an ISO date or a duration such as 90d')
    .option('--json', 'print what was rotated as JSON (metadata only)')
    .action(async (name, options, command) => (await import('../../commands/token/rotate.js')).run(name, options, await kit.ctx(command)));

  kit
    .examples(token.command('export'), [
      ['mcp-cli token export tokens.age', 'every token into an age-encrypted bundle (passphrase asked)'],
      ['MCP_CLI_EXPORT_PASSPHRASE=... mcp-cli token export team.age --namespace team', 'one namespace, passphrase from the environment'],
    ])
    .description('write tokens with their metadata to an age-encrypted file (passphrase: prompt or MCP_CLI_EXPORT_PASSPHRASE)')
    .argument('<file>', 'bundle to write')
    .option('--namespace <ns>', 'only this namespace')
    .option('--force', 'replace the file if it exists')
    .action(async (file, options, command) => (await import('../../commands/token/export.js')).run(file, options, await kit.ctx(command)));

  kit
    .examples(token.command('import'), [
      ['mcp-cli token import tokens.age --dry-run', 'what importing would change'],
      ['mcp-cli token import tokens.age --skip-existing', 'import, keeping the tokens already here'],
    ])
    .description('read tokens from an exported bundle')
    .argument('<file>', 'bundle to read')
    .option('--namespace <ns>', 'only tokens of this namespace')
    .option('--overwrite', 'replace tokens that already exist')
    .option('--skip-existing', 'keep tokens that already exist')
    .option('--dry-run', 'show what would change, write nothing')
    .action(async (file, options, command) => (await import('../../commands/token/import.js')).run(file, options, await kit.ctx(command)));

  kit
    .examples(token.command('check'), [
      ['mcp-cli token check', 'exit 4 when a token is expired or expires within 7 days'],
      ['mcp-cli token check --expiring-within 30d --json', 'a 30-day window, as JSON (for cron)'],
    ])
    .description('exit 4 when any token is expired or expires soon (for cron jobs)')
    .option('--expiring-within <duration>', 'the window, e.g. 7d (default) or 30d')
    .option('--namespace <ns>', 'only this namespace')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../../commands/token/check.js')).run(options, await kit.ctx(command)));

  kit
    .examples(token.command('validate'), [
      ['mcp-cli token validate', 'every token against what can judge it'],
      ['mcp-cli token validate openai --namespace api-key', 'one token'],
    ])
    .description(
      'check tokens against what can judge them: expiry, the servers that use them, OAuth refresh, provider APIs (exit 4 if any is rejected or expired)',
    )
    .argument('[name]', 'token name (default: every token)')
    .option('--namespace <ns>', 'namespace (without a name: only this namespace)')
    .option('--all', 'validate every token (the default without a name)')
    .option('--json', 'print JSON')
    .action(async (name, options, command) => (await import('../../commands/token/validate.js')).run(name, options, await kit.ctx(command)));

  kit
    .examples(token.command('passphrase'), [
      ['mcp-cli token passphrase', "change the encrypted file's passphrase (both asked for)"],
      ['MCP_CLI_NEW_ENCRYPTION_KEY=... mcp-cli token passphrase', 'the new one from the environment'],
    ])
    .description(
      'change the passphrase of the encrypted token file (new one from a prompt or MCP_CLI_NEW_ENCRYPTION_KEY); every token is re-encrypted under a new key',
    )
    .action(async (_options, command) => (await import('../../commands/token/passphrase.js')).run(await kit.ctx(command)));

  kit
    .examples(token.command('audit'), [
      ['mcp-cli token audit --since 7d', 'the last week of token access'],
      ['mcp-cli token audit --name openai --action read --json', 'reads of one token, as JSON'],
      ['mcp-cli token audit --verify', 'check that no entry was edited or removed'],
    ])
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

  kit
    .examples(token.command('migrate'), [
      ['mcp-cli token migrate --from encrypted --to keychain --dry-run', "what moving the file's tokens into the keychain would do"],
      ['mcp-cli token migrate --from encrypted --to keychain', 'move them'],
    ])
    .description(
      'move every token of one backend into the active one (or --to), metadata unchanged; each is deleted from the source only once written and read back',
    )
    .requiredOption('--from <backend>', 'the backend to move tokens out of: keychain, credential-manager, secret-service, vault, encrypted')
    .option('--to <backend>', 'the backend to move them into (default: the active backend; the same as --token-backend)')
    .option('--overwrite', 'replace tokens that exist in the destination with other values')
    .option('--skip-existing', 'keep tokens that exist in the destination (their source copies stay)')
    .option('--dry-run', 'show what would be moved, write nothing')
    .action(async (options, command) => (await import('../../commands/token/migrate.js')).run(options, await kit.ctx(command)));

  kit
    .examples(token.command('unlock'), [
      ['mcp-cli token unlock', 'ask the passphrase once; unlocked for 15 minutes'],
      ['mcp-cli token unlock --timeout 8h', 'for a working day'],
    ])
    .description(
      "ask the encrypted file's passphrase once (or take MCP_CLI_ENCRYPTION_KEY) and keep the file unlocked for this user until the timeout or `token lock`",
    )
    .option('--timeout <duration>', 'how long it stays unlocked, e.g. 15m (default), 2h or 1d; at most 7d')
    .action(async (options, command) => (await import('../../commands/token/unlock.js')).run(options, await kit.ctx(command)));

  kit
    .examples(token.command('lock'), [['mcp-cli token lock', 'forget the keys of every unlock session now']])
    .description('end every unlock session of this user now: the keys are forgotten and the agent stops')
    .action(async (_options, command) => (await import('../../commands/token/lock.js')).run(await kit.ctx(command)));
};
