import { helpParagraphs } from '../help-format.js';
import { CONFIG_EXAMPLE, CONFIG_FILE } from '../help-text.js';
import type { Register } from './kit.js';

/** `mcp-cli config ...`: server_config.json resolved, and the approval of files that are not the user's own. */
export const register: Register = (program, kit) => {
  const config = program
    .command('config')
    .description('server_config.json: show it resolved, and approve files that are not your own')
    .addHelpText('after', (context) => helpParagraphs(context.command, CONFIG_FILE, CONFIG_EXAMPLE));
  config
    .command('show')
    .description('the resolved config, with every value from a reference masked')
    .argument('[server]', 'only this server')
    .option('--json', 'print JSON')
    .action(async (server, options, command) => (await import('../../commands/config/show.js')).run(server, options, await kit.ctx(command)));

  config
    .command('trust')
    .description(
      'approve a config file that is not your own (default: the one used here), after showing what it would make mcp-cli do; any edit needs approval again',
    )
    .argument('[path]', 'the config file (default: --config, $MCP_CLI_CONFIG, or ./server_config.json)')
    .option('--list', 'list the approved files and whether each is unchanged')
    .option('--json', 'with --list: print JSON')
    .action(async (path, options, command) => (await import('../../commands/config/trust.js')).run(path, options, await kit.ctx(command)));

  config
    .command('untrust')
    .description('remove the approval of a config file')
    .argument('[path]', 'the config file (default: the one used here)')
    .action(async (path, _options, command) => (await import('../../commands/config/trust.js')).untrust(path, await kit.ctx(command)));
};
