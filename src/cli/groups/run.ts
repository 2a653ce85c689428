import { collect, type Register } from './kit.js';

/** What MCP clients and other programs start: a configured server with its credentials, or any program with tokens in its environment. */
export const register: Register = (program, kit) => {
  kit
    .examples(program.command('run'), [
      ['claude mcp add github -- mcp-cli run github', 'an MCP client starts the server through mcp-cli'],
      ['{"command": "mcp-cli", "args": ["run", "github"]}', "the same in a client's JSON config"],
    ])
    .summary('what an MCP client starts: a server of server_config.json on stdin/stdout, with its credentials')
    .description(
      'run a server of server_config.json for an MCP client on stdin/stdout: a stdio server with its resolved env, or a bridge to an HTTP server with its headers and OAuth login (see docs/run.md)',
    )
    .argument('<server>', 'server name in server_config.json (--config, else $MCP_CLI_CONFIG, else the config directory: never ./server_config.json)')
    .option('--no-masking', "leave the server's secrets in the messages to the client (its stderr stays masked)")
    .option('--account <name>', 'the OAuth login of this account (auth login SERVER --account NAME) instead of the entry\'s "account"')
    .action(async (server, options, command) =>
      kit.endWith(
        await (
          await import('../../commands/run.js')
        ).run(server, options, await kit.ctx(command, { workingDirectoryConfig: false, clientEnvironment: true }), { signals: process }),
      ),
    );

  kit
    .examples(program.command('exec'), [
      ["mcp-cli exec --env 'OPENAI_API_KEY=${TOKEN:api-key:openai}' -- python agent.py", 'a program with a token in its environment'],
      ['mcp-cli exec --env-file .env.mcp -- npm start', 'variables from a file of NAME=VALUE lines'],
    ])
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
      const exec = await import('../../commands/exec.js');
      // Only what follows `--` is the program: an option after it is the program's, never mcp-cli's.
      exec.requireAfterDashes(argv, (command.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? []);
      kit.endWith(await exec.run(argv, options, await kit.ctx(command), { signals: process }));
    });
};
