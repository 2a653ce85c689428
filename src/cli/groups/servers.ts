import type { Register } from './kit.js';

/** The MCP servers of server_config.json: listing them, and talking to one (these load the MCP SDK only when they run). */
export const register: Register = (program, kit) => {
  program
    .command('servers')
    .description('list configured servers, the protocol each speaks (when known) and the state of the tokens they reference (connects to nothing)')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../../commands/servers.js')).run(options, await kit.ctx(command)));

  program
    .command('ping')
    .description('connect to a server (settling its protocol era), check that it answers, and print its name, version, protocol and round-trip time')
    .argument('<server>', 'server name in server_config.json')
    .option('--json', 'print JSON')
    .action(async (server, options, command) => (await import('../../commands/ping.js')).run(server, options, await kit.ctx(command)));

  program
    .command('tools')
    .description("list a server's tools")
    .argument('<server>', 'server name in server_config.json')
    .option('--json', 'print JSON')
    .action(async (server, options, command) => (await import('../../commands/tools.js')).run(server, options, await kit.ctx(command)));

  program
    .command('call')
    .description('call one tool of a server and print its result')
    .argument('<server>', 'server name in server_config.json')
    .argument('<tool>', 'tool name')
    .option('--args <json>', 'the tool arguments as a JSON object')
    .option('--json', 'print the whole result as JSON')
    .option('--accept-defaults', 'when the server asks a question during the call, accept its defaults without asking (declined if a required field has none)')
    .action(async (server, tool, options, command) => (await import('../../commands/call.js')).run(server, tool, options, await kit.ctx(command)));
};
