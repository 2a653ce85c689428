import type { Register } from './kit.js';

/** The MCP servers of server_config.json: listing them, and talking to one (these load the MCP SDK only when they run). */
export const register: Register = (program, kit) => {
  kit
    .examples(program.command('servers'), [
      ['mcp-cli servers', 'the servers of server_config.json and the state of their tokens'],
      ['mcp-cli --config ./team.json servers --json', 'another config file, as JSON'],
    ])
    .description('list configured servers, the protocol each speaks (when known) and the state of the tokens they reference (connects to nothing)')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../../commands/servers.js')).run(options, await kit.ctx(command)));

  kit
    .examples(program.command('ping'), [['mcp-cli ping github', 'connect, settle the protocol era, and time the round trip']])
    .description('connect to a server (settling its protocol era), check that it answers, and print its name, version, protocol and round-trip time')
    .argument('<server>', 'server name in server_config.json')
    .option('--json', 'print JSON')
    .option('--account <name>', 'the OAuth login of this account (auth login SERVER --account NAME) instead of the entry\'s "account"')
    .action(async (server, options, command) => (await import('../../commands/ping.js')).run(server, options, await kit.ctx(command)));

  kit
    .examples(program.command('tools'), [
      ['mcp-cli tools github', 'the tools of a server'],
      ['mcp-cli tools github --json', 'with their input schemas, as JSON'],
    ])
    .description("list a server's tools")
    .argument('<server>', 'server name in server_config.json')
    .option('--json', 'print JSON')
    .option('--account <name>', 'the OAuth login of this account (auth login SERVER --account NAME) instead of the entry\'s "account"')
    .action(async (server, options, command) => (await import('../../commands/tools.js')).run(server, options, await kit.ctx(command)));

  kit
    .examples(program.command('call'), [
      ['mcp-cli call github search_repositories --args \'{"query":"mcp"}\'', 'call a tool with arguments'],
      ['mcp-cli call notion get_self --json', 'the whole result as JSON'],
    ])
    .description('call one tool of a server and print its result')
    .argument('<server>', 'server name in server_config.json')
    .argument('<tool>', 'tool name')
    .option('--args <json>', 'the tool arguments as a JSON object')
    .option('--json', 'print the whole result as JSON')
    .option('--accept-defaults', 'when the server asks a question during the call, accept its defaults without asking (declined if a required field has none)')
    .option('--account <name>', 'the OAuth login of this account (auth login SERVER --account NAME) instead of the entry\'s "account"')
    .action(async (server, tool, options, command) => (await import('../../commands/call.js')).run(server, tool, options, await kit.ctx(command)));
};
