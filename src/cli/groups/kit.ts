import type { Command, CommandUnknownOpts } from '@commander-js/extra-typings';
import type { Ctx, GlobalOptions, Io } from '../../context.js';
import type { HelpItem } from '../help-text.js';

/** What happens when a command that ends with a status of its own (`run`, `exec`: their program's) ends. */
export type EndWith = (status: number) => void;

/** A command as an action receives it: what the Ctx is made from. */
export interface ParsedCommand {
  optsWithGlobals(): object;
}

/** What a group module defines its commands with. */
export interface Kit {
  /** The Ctx a command runs with: the IO, the global options (and `extra`), and the factory's lazy accessors. */
  ctx(command: ParsedCommand, extra?: Partial<GlobalOptions>): Promise<Ctx>;
  endWith: EndWith;
  /** Paragraphs after a command's help, wrapped as commander wraps it (src/cli/help-format.ts). */
  helpParagraphs(command: Command, paragraphs: readonly string[], preformatted?: string): string;
  /** Gives a command an Examples section after its help, and in the man page (src/cli/help-format.ts). */
  examples<C extends CommandUnknownOpts>(command: C, examples: readonly HelpItem[]): C;
  /** The parser of a value that must be one of `choices`: a mistyped one is a usage error naming the closest, as for a command. */
  oneOf<T extends string>(choices: readonly T[]): (value: string) => T;
  /** The IO alone, without the factory (made on first use). */
  io(): Promise<Io>;
  /** The command table as it is built for `args` (its group only), writing nowhere: for completion. */
  table(args: readonly string[]): Promise<Command>;
}

/** What the kit holds for help alone, the same for every kit (src/cli/program.ts). */
export type HelpKit = Pick<Kit, 'helpParagraphs' | 'examples' | 'oneOf'>;

/**
 * A group module adds its top-level commands to the program. It imports no command module and
 * nothing of the core statically, nor anything that program.ts imports too (commander's classes,
 * the help format: take them from the kit and the command), which would split them into chunks of their own: each action imports its command when it runs, so that building
 * the group (for `--help`, completion, or to run one of its commands) costs only the definitions.
 */
export type Register = (program: Command, kit: Kit) => void;

/** For repeatable options: `--env A=1 --env B=2`. */
export const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
