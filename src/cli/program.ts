import { Command, CommanderError, InvalidArgumentError } from '@commander-js/extra-typings';
import type { Ctx, Io } from '../context.js';
import { COMMAND_GROUPS, type CommandGroup } from './groups/index.js';
import { helpExamples, helpParagraphs, helpSections, withExamples } from './help-format.js';
import { ENVIRONMENT, EXAMPLES, EXIT_CODES, LEARN_MORE } from './help-text.js';
import type { EndWith, HelpKit, Kit } from './groups/kit.js';
import { didYouMean } from './suggest.js';

// This module and the group modules stay light: they import nothing of the core statically
// (scripts/core-chunk.mjs checks it), so that `--help` and completion load only commander and
// the definitions of one group; the IO, the factory and the command come with the action.

export type { EndWith } from './groups/kit.js';

/** Where commander writes help and usage errors, and how wide the help may be. */
type Output = Pick<Io, 'stdout' | 'stderr' | 'columns'>;

/** Global options that take a value, so the word after them is not a command. */
const GLOBAL_VALUES = new Set(['--token-backend', '--config']);

/** The top-level command that `args` run: the first word after the global options (`help X` is X's help). */
export function commandNamed(args: readonly string[]): string | undefined {
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (GLOBAL_VALUES.has(arg)) i++;
    else if (arg.startsWith('-')) continue;
    else if (arg === 'help' && !help) help = true;
    else return arg;
  }
  return undefined;
}

/** The groups to build for `args`: the one that defines the command, else all of them (the top-level help, an unknown command). */
export function groupsFor(args: readonly string[] | undefined): readonly CommandGroup[] {
  const name = args && commandNamed(args);
  const group = name === undefined ? undefined : COMMAND_GROUPS.find((g) => g.commands.includes(name));
  return group ? [group] : COMMAND_GROUPS;
}

/**
 * The command table for `args` (all of it without): the root with its global options, and the
 * groups that may run. Each action runs its command with a Ctx made from `io` (the process's own
 * when none is given) and the global options; commander's own output goes to `output`.
 */
export async function buildProgram(output: Output, kit: Kit, args?: readonly string[]): Promise<Command> {
  const program = new Command()
    .configureOutput({
      writeOut: (text) => void output.stdout.write(text),
      writeErr: (text) => void output.stderr.write(text),
      getOutHelpWidth: () => output.columns ?? 80,
      getErrHelpWidth: () => output.columns ?? 80,
    })
    .name('mcp-cli')
    .description('Secure credentials for MCP servers: OS keychain, HashiCorp Vault or an encrypted file')
    .version(MCP_CLI_VERSION)
    .option('--token-backend <name>', 'token storage backend: auto, keychain, credential-manager, secret-service, vault, encrypted')
    .option('--config <path>', 'server_config.json to use (default: $MCP_CLI_CONFIG, ./server_config.json, then the config directory)')
    .option('-q, --quiet', 'no confirmations on stderr (warnings and errors still show)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      (context) =>
        helpSections(context.command, [
          ['Environment:', ENVIRONMENT],
          ['Exit codes:', EXIT_CODES],
        ]) +
        helpExamples(EXAMPLES) +
        '\n\nLearn more:' +
        helpParagraphs(context.command, [`${LEARN_MORE}.`]),
    );
  const groups = groupsFor(args);
  const modules = await Promise.all(groups.map((g) => g.load()));
  for (const group of modules) group.register(program, kit);
  return program;
}

/** The help half of every kit. */
export const HELP_KIT: HelpKit = {
  helpParagraphs,
  examples: withExamples,
  oneOf: (choices) => (value) => {
    const known = choices.find((choice) => choice === value);
    if (known !== undefined) return known;
    throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.${didYouMean(value, choices)}`);
  },
};

/** The kit the group modules build their actions with; the IO is made on the first command that runs. */
function kitFor(io: Io | undefined, endWith: EndWith): Kit {
  let made: Io | undefined;
  const ioOnce = async () => (made ??= io ?? (await import('./core-entry.js')).processIo({}));
  const nowhere = { write: () => true } as unknown as Io['stdout'];
  const kit: Kit = {
    ...HELP_KIT,
    endWith,
    io: ioOnce,
    table: (args) => buildProgram({ stdout: nowhere, stderr: nowhere, columns: 80 }, kit, args),
    async ctx(command, extra = {}): Promise<Ctx> {
      const globals = command.optsWithGlobals() as { tokenBackend?: string; config?: string; quiet?: boolean };
      const [base, { withFactory }] = await Promise.all([ioOnce(), import('./core-entry.js')]);
      return withFactory(
        Object.assign(Object.create(base) as Io, { globals: { tokenBackend: globals.tokenBackend, config: globals.config, quiet: globals.quiet, ...extra } }),
      );
    },
  };
  return kit;
}

/** Runs the CLI and returns the exit code. The one place where errors become messages. */
export async function runCli(args: string[], io?: Io, options: { exitAfterProgram?: boolean } = {}): Promise<number> {
  let status: number | undefined;
  const kit = kitFor(io, (code) => {
    status = code;
    // run and exec end once their program has: whatever still holds the event loop then does not hold mcp-cli.
    if (options.exitAfterProgram) setTimeout(() => process.exit(code), 2000).unref();
  });
  try {
    const output = io ?? { stdout: process.stdout, stderr: process.stderr, columns: process.stdout.isTTY ? process.stdout.columns : undefined };
    const program = await buildProgram(output, kit, args);
    await program.parseAsync(args, { from: 'user' });
    return status ?? 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 1;
    }
    const [{ reportError }, failed] = await Promise.all([import('./core-entry.js'), kit.io()]);
    return reportError(error, failed);
  }
}
