import { CLIENT_IDS } from '../../clients/catalog.js';
import type { Register } from './kit.js';

/** `clients` has options of its own (--project, --json) that commander hands it wherever they stand, so its subcommands take them from there too. */
const withParent = <T extends object>(options: T, command: { parent: { opts(): object } | null }): T => ({ ...command.parent?.opts(), ...options });

/** `mcp-cli clients ...`: MCP clients' own config files (jsonc-parser and yaml load only with these commands). */
export const register: Register = (program, kit) => {
  const clientId = kit.oneOf(CLIENT_IDS);
  const clientArgument = () => program.createArgument('<client>', 'the client').choices(CLIENT_IDS).argParser(clientId);
  const clients = kit
    .examples(program.command('clients'), [
      ['mcp-cli clients', 'the clients found, their servers, and plaintext secrets (masked)'],
      ['mcp-cli clients --project . --check', "exit 1 when a project's files hold a plaintext secret"],
    ])
    .summary("find plaintext secrets in MCP clients' configs, move them into the token store, and wire the clients to mcp-cli run")
    .description(
      'list the MCP clients whose configs are found (Claude Desktop, Claude Code, Cursor, VS Code, Windsurf, Zed, Goose, Codex CLI, Gemini CLI, Cline, Continue, OpenCode, Kiro, LM Studio, Crush, GitHub Copilot CLI), their servers, and the values that look like plaintext secrets: by name, kind and a masked hint, never the value (see docs/clients.md)',
    )
    .option('--project <dir>', "a project's files (.mcp.json, .cursor/mcp.json, .vscode/mcp.json, .gemini/settings.json, opencode.json...) instead of your own")
    .option('--check', 'exit 1 when a plaintext secret is found (for CI and pre-commit hooks)')
    .option('--json', 'print JSON')
    .action(async (options, command) => (await import('../../commands/clients/clients-list.js')).run(options, await kit.ctx(command)));

  kit
    .examples(clients.command('import'), [
      ['mcp-cli clients import claude-desktop --dry-run', 'the plan, and a diff of each file'],
      ['mcp-cli clients import cursor --servers github,notion', "move two servers' secrets into the store"],
    ])
    .description(
      "move a client's plaintext secrets into the token store, its servers into your server_config.json with ${TOKEN:...} references, and rewrite its entries to start mcp-cli run NAME; the plan is shown first",
    )
    .addArgument(clientArgument())
    .option('--project <dir>', "the project's file (shared with a team) instead of your own")
    .option('--servers <names>', 'only these servers, comma-separated (also ones without a secret)')
    .option('--dry-run', 'show the plan and a diff of each file, write nothing')
    .option('--rename', 'give tokens and servers whose names are taken a free name (name-2, ...)')
    .option('--overwrite', 'replace tokens and servers whose names are taken (restore puts them back)')
    .option('--command <path>', 'what the rewritten entries start (default: mcp-cli when it is on PATH, else node and this script by absolute paths)')
    .option('--json', 'print the plan as JSON')
    .option('-y, --yes', 'do not ask before writing (required when not interactive)')
    .action(async (client, options, command) =>
      (await import('../../commands/clients/clients-import.js')).run(client, withParent(options, command), await kit.ctx(command)),
    );

  kit
    .examples(clients.command('install'), [
      ['mcp-cli clients install github --client cursor', 'Cursor starts github through mcp-cli run'],
      ['mcp-cli clients install github --client vscode --project .', "in the project's .vscode/mcp.json"],
    ])
    .description("add an entry that starts mcp-cli run SERVER, for a server of your server_config.json, to a client's file")
    .argument('<server>', 'server name in your server_config.json')
    .addOption(program.createOption('--client <client>', 'the client').choices(CLIENT_IDS).argParser(clientId).makeOptionMandatory())
    .option('--project <dir>', "the project's file instead of your own")
    .option('--command <path>', 'what the entry starts (default: as for clients import)')
    .option('--overwrite', 'replace an entry of that name (one without plaintext secrets)')
    .action(async (server, options, command) =>
      (await import('../../commands/clients/clients-install.js')).run(server, withParent(options, command), await kit.ctx(command)),
    );

  kit
    .examples(clients.command('restore'), [['mcp-cli clients restore claude-desktop', "undo the imports into Claude Desktop's config"]])
    .description(
      "put a client's files back as they were before its imports (byte for byte), and take out what the imports added to server_config.json and the token store",
    )
    .addArgument(clientArgument())
    .action(async (client, _options, command) => (await import('../../commands/clients/clients-restore.js')).run(client, await kit.ctx(command)));
};
