import type { Register } from './kit.js';

/** What `config --help` says about the file beyond its commands. */
export const CONFIG_FILE: readonly string[] = [
  'The config file is --config PATH, else $MCP_CLI_CONFIG, else ./server_config.json, else server_config.json in the config directory ($MCP_CLI_CONFIG_DIR, else $XDG_CONFIG_HOME/mcp-cli, else ~/.config/mcp-cli). `mcp-cli run` never uses ./server_config.json.',
  'Only ~/.config/mcp-cli/server_config.json of your home (as the system names it, whatever HOME says) is trusted by itself. Any other may come from a cloned repository: nothing in it is resolved, contacted or started, and its tokenStorage is not used, until you approve it with `mcp-cli config trust`; an edit needs approval again. A config directory that MCP_CLI_CONFIG_DIR, XDG_CONFIG_HOME or HOME moves elsewhere is approved once, as a directory, when only you can write to it.',
  'Strings in a server entry may hold ${TOKEN:namespace:name} (a stored token), ${TOKEN:namespace:name:field} (one field: username, password, basic), ${VAR} and ${VAR:-default} (the environment); $${ is a literal ${.',
];

export const CONFIG_EXAMPLE = `{
  "mcpServers": {
    "my-api": {
      "url": "https://api.example.com/mcp",
      "headers": { "Authorization": "Bearer \${TOKEN:bearer:my-api}" }
    }
  }
}`;

/** `mcp-cli config ...`: server_config.json resolved, and the approval of files that are not the user's own. */
export const register: Register = (program, kit) => {
  const config = program
    .command('config')
    .description('server_config.json: show it resolved, and approve files that are not your own')
    .addHelpText('after', (context) => kit.helpParagraphs(context.command, CONFIG_FILE, CONFIG_EXAMPLE));
  kit.examples(config, [
    ['mcp-cli config show', 'the config as mcp-cli uses it, every value from a reference masked'],
    ['mcp-cli config trust', "approve a cloned project's ./server_config.json after seeing what it would do"],
  ]);
  kit
    .examples(config.command('show'), [
      ['mcp-cli config show', 'the whole config, references resolved and masked'],
      ['mcp-cli config show github --json', 'one server, as JSON'],
    ])
    .description('the resolved config, with every value from a reference masked')
    .argument('[server]', 'only this server')
    .option('--json', 'print JSON')
    .action(async (server, options, command) => (await import('../../commands/config/show.js')).run(server, options, await kit.ctx(command)));

  kit
    .examples(config.command('trust'), [
      ['mcp-cli config trust', 'approve the config used here (./server_config.json) after seeing what it would do'],
      ['mcp-cli config trust --list', 'the approved files, and whether each is unchanged'],
    ])
    .description(
      'approve a config file that is not your own (default: the one used here), after showing what it would make mcp-cli do; any edit needs approval again',
    )
    .argument('[path]', 'the config file (default: --config, $MCP_CLI_CONFIG, or ./server_config.json)')
    .option('--list', 'list the approved files and whether each is unchanged')
    .option('--json', 'with --list: print JSON')
    .action(async (path, options, command) => (await import('../../commands/config/trust.js')).run(path, options, await kit.ctx(command)));

  kit
    .examples(config.command('untrust'), [['mcp-cli config untrust ./server_config.json', 'withdraw the approval of a file']])
    .description('remove the approval of a config file')
    .argument('[path]', 'the config file (default: the one used here)')
    .action(async (path, _options, command) => (await import('../../commands/config/trust.js')).untrust(path, await kit.ctx(command)));
};
