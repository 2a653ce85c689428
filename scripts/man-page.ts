// man/mcp-cli.1, made from the command table (every command, argument and option as `--help`
// shows them) and the words of the top-level and `config` help. `npm run man` writes it;
// test/unit/man-page.test.ts fails when the checked-in page is not what this makes.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from '@commander-js/extra-typings';

const ROOT = new URL('..', import.meta.url);
export const MAN_PAGE = fileURLToPath(new URL('man/mcp-cli.1', ROOT));

/** Text as roff reads it literally: backslashes, and a leading dot or quote that would start a request. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');
}

const bold = (text: string) => `\\fB${roff(text)}\\fR`;

/** `--type <type>` as `\fB\-\-type\fR \fItype\fR`. */
function flags(text: string): string {
  return text
    .split(/(<[^>]+>|\[[^\]]+\])/)
    .filter(Boolean)
    .map((part) =>
      /^[<[]/.test(part)
        ? `\\fI${roff(part.slice(1, -1))}\\fR`
        : part.trim() === ''
          ? part
          : part.replace(/^(\s*)(.*?)(\s*)$/, (_, a, b, c) => a + bold(b) + c),
    )
    .join('');
}

function section(title: string, body: string[]): string[] {
  return [`.SH ${title}`, ...body];
}

function items(list: readonly (readonly [string, string])[], term: (t: string) => string = bold): string[] {
  return list.flatMap(([t, text]) => ['.TP', term(t), roff(text)]);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent as Command | null) names.unshift(c.name());
  return names.join(' ');
}

/** A command's examples (src/cli/help-format.ts, withExamples), as its help shows them. */
type ExamplesOf = (command: Command) => readonly (readonly [string, string])[];

function exampleLines(examples: readonly (readonly [string, string])[]): string[] {
  if (examples.length === 0) return [];
  return ['.PP', 'Examples:', '.RS', '.nf', ...examples.flatMap(([command, text]) => [roff(`# ${text}`), roff(command)]), '.fi', '.RE'];
}

function describeCommand(command: Command, examplesOf: ExamplesOf): string[] {
  const help = command.createHelp();
  const args = help.visibleArguments(command).map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}${a.variadic ? '...' : ''}]`));
  const lines = [`.SS ${flags([commandPath(command), ...args].join(' '))}`, roff(command.description())];
  const choices = (list: readonly string[] | undefined) => (list ? ` (${list.join(', ')})` : '');
  for (const argument of help.visibleArguments(command))
    lines.push('.TP', `\\fI${roff(argument.name())}\\fR`, roff(argument.description + choices(argument.argChoices)));
  for (const option of help.visibleOptions(command)) {
    if (option.long === '--help') continue;
    const fallback = option.defaultValue !== undefined && option.defaultValue !== false ? ` (default: ${String(option.defaultValue)})` : '';
    lines.push('.TP', flags(option.flags), roff(option.description + choices(option.argChoices) + fallback));
  }
  return [...lines, ...exampleLines(examplesOf(command))];
}

/** Every command below `command`, depth first, in the order of the help. */
function allCommands(command: Command): Command[] {
  const visible = command
    .createHelp()
    .visibleCommands(command)
    .filter((c) => c.name() !== 'help') as Command[];
  return visible.flatMap((c) => [c, ...allCommands(c)]);
}

export async function renderManPage(): Promise<string> {
  const { version } = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { version: string };
  (globalThis as { MCP_CLI_VERSION?: string }).MCP_CLI_VERSION ??= version;
  const [{ buildProgram, HELP_KIT }, { ENVIRONMENT, EXAMPLES, EXIT_CODES, LEARN_MORE }, { CONFIG_FILE, CONFIG_EXAMPLE }, { examplesOf }] = await Promise.all([
    import('../src/cli/program.js'),
    import('../src/cli/help-text.js'),
    import('../src/cli/groups/config.js'),
    import('../src/cli/help-format.js'),
  ]);
  const nowhere = { write: () => true } as never;
  const unused = () => {
    throw new Error('the man page runs no command');
  };
  const kit = { ...HELP_KIT, ctx: unused, endWith: unused, io: unused, table: unused, helpParagraphs: () => '' };
  const program = (await buildProgram({ stdout: nowhere, stderr: nowhere, columns: 80 }, kit)) as unknown as Command;
  const root = program.createHelp();
  const lines = [
    `.TH MCP\\-CLI 1 "" "mcp\\-cli ${version}" "User Commands"`,
    ...section('NAME', [`mcp\\-cli \\- ${roff(program.description())}`]),
    ...section('SYNOPSIS', [`${bold('mcp-cli')} [\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]`]),
    ...section('DESCRIPTION', [
      roff(
        'mcp-cli keeps the credentials of MCP servers (OAuth tokens, bearer tokens, API keys, basic credentials, client certificates) in the OS keychain, HashiCorp Vault or an encrypted file, and hands them to the servers of server_config.json through ${TOKEN:namespace:name} references. Values are never printed unless asked for with token get --show-value.',
      ),
    ]),
    ...section(
      'GLOBAL OPTIONS',
      root.visibleOptions(program).flatMap((o) => ['.TP', flags(o.flags), roff(o.description)]),
    ),
    ...section(
      'COMMANDS',
      allCommands(program).flatMap((c) => describeCommand(c, examplesOf)),
    ),
    ...section('CONFIGURATION', [
      ...CONFIG_FILE.flatMap((p) => ['.PP', roff(p)]),
      '.PP',
      'For example:',
      '.PP',
      '.nf',
      '.RS',
      roff(CONFIG_EXAMPLE),
      '.RE',
      '.fi',
    ]),
    ...section('ENVIRONMENT', items(ENVIRONMENT)),
    ...section('EXIT STATUS', items(EXIT_CODES)),
    ...section(
      'EXAMPLES',
      EXAMPLES.flatMap(([command, text]) => ['.PP', `${roff(text)}:`, '.RS', '.nf', roff(command), '.fi', '.RE']),
    ),
    ...section('SEE ALSO', [roff(`${LEARN_MORE}.`)]),
  ];
  return lines.join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(MAN_PAGE, await renderManPage());
  process.stdout.write(`wrote ${MAN_PAGE}\n`);
}
