import type { Command } from '@commander-js/extra-typings';

// Which word the shell is completing, read off the command table (commander wiring only, no core):
// a subcommand, a flag, an option's value or an argument. What needs the outside world (server
// names, token names) is left as a `dynamic` kind for the completion command to look up.

/** Candidates that come from the config file or the store rather than from the command table. */
export type Dynamic = 'servers' | 'tokens' | 'namespaces' | 'files';

export interface Slot {
  /** Candidates known from the table (subcommands, flags, choices). */
  words: string[];
  /** What a subcommand or flag among the words does, in a few words (zsh, fish and PowerShell show it). */
  descriptions?: Readonly<Record<string, string>>;
  dynamic?: Dynamic;
  /** `--namespace NS` (or `--oauth`) given before: token names of that namespace only. */
  namespace?: string;
}

interface OptionLike {
  long?: string;
  description: string;
  short?: string;
  required: boolean;
  optional: boolean;
  hidden: boolean;
  argChoices?: string[];
}

const optionsOf = (command: Command) => command.options as readonly OptionLike[];
const visibleCommands = (command: Command) => (command.commands as readonly Command[]).filter((c) => !c.name().startsWith('__'));

/** Option values that are files, or a few fixed words the table does not list as choices. */
const OPTION_VALUES: Record<string, Dynamic | readonly string[]> = {
  '--namespace': 'namespaces',
  '--config': 'files',
  '--value-file': 'files',
  '--cert': 'files',
  '--key': 'files',
  '--ca': 'files',
  '--env-file': 'files',
  '--token-backend': ['auto', 'keychain', 'credential-manager', 'secret-service', 'vault', 'encrypted'],
  '--from': ['keychain', 'credential-manager', 'secret-service', 'vault', 'encrypted'],
  '--to': ['keychain', 'credential-manager', 'secret-service', 'vault', 'encrypted'],
};

const SET_TYPES = ['bearer', 'api-key', 'basic', 'generic', 'client-cert'];

/** How long a description may be beside a candidate. */
const BRIEF = 60;

/** A help text cut to what fits beside a candidate: up to its first aside (`;`, ` (`), at most BRIEF characters. */
export function brief(text: string): string {
  const first = text.split(/;| \(|\n/)[0]!.trim();
  if (first.length <= BRIEF) return first;
  const cut = first.slice(0, BRIEF - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), BRIEF / 2)).replace(/[,:]$/, '')}…`;
}

const describe = (command: Command) => brief(command.summary() || command.description());

/** Arguments by their name in the table. */
const ARGUMENT_VALUES: Record<string, Dynamic> = { server: 'servers', name: 'tokens', file: 'files', path: 'files', command: 'files' };

function valueSlot(flag: string, option: OptionLike, command: Command): Slot {
  if (option.argChoices) return { words: [...option.argChoices] };
  if (flag === '--type') return { words: command.name() === 'set' ? SET_TYPES : [...SET_TYPES, 'oauth'] };
  const known = OPTION_VALUES[flag];
  if (known === undefined) return { words: [] };
  return typeof known === 'string' ? { words: [], dynamic: known } : { words: [...known] };
}

/**
 * The slot of the word after `words` (the words typed before it, without `mcp-cli`) in the table
 * rooted at `root`.
 */
export function slotFor(root: Command, words: readonly string[]): Slot {
  const chain: Command[] = [root];
  let command = root;
  let positional = 0;
  let pending: { flag: string; option: OptionLike } | undefined;
  let namespace: string | undefined;
  let operandsOnly = false;
  const findOption = (flag: string) => {
    for (const c of [...chain].reverse()) {
      const found = optionsOf(c).find((o) => o.long === flag || o.short === flag);
      if (found) return found;
    }
    return undefined;
  };
  for (const word of words) {
    if (pending) {
      if (pending.flag === '--namespace') namespace = word;
      pending = undefined;
      continue;
    }
    if (!operandsOnly && word === '--') {
      operandsOnly = true;
      continue;
    }
    if (!operandsOnly && word.startsWith('-')) {
      if (word === '--oauth') namespace = 'oauth';
      const option = findOption(word);
      if (option && (option.required || option.optional) && !word.includes('=')) pending = { flag: option.long ?? word, option };
      continue;
    }
    const sub = positional === 0 ? visibleCommands(command).find((c) => c.name() === word || c.aliases().includes(word)) : undefined;
    if (sub) {
      command = sub;
      chain.push(sub);
      continue;
    }
    positional++;
  }
  if (pending) return valueSlot(pending.flag, pending.option, command);

  const descriptions: Record<string, string> = { '--help': 'show help' };
  const flags = chain.flatMap((c) =>
    optionsOf(c)
      .filter((o) => !o.hidden && o.long !== undefined)
      .map((o) => {
        descriptions[o.long!] ??= brief(o.description);
        return o.long!;
      }),
  );
  const subcommands = positional === 0 ? visibleCommands(command) : [];
  for (const sub of subcommands) descriptions[sub.name()] = describe(sub);
  if (subcommands.length > 0) return { words: [...subcommands.map((c) => c.name()), ...flags, '--help'], descriptions };
  const args = command.registeredArguments;
  const argument = args[Math.min(positional, args.length - 1)];
  const flagWords = operandsOnly ? [] : [...new Set([...flags, '--help'])];
  if (!argument || (positional >= args.length && !argument.variadic)) return { words: flagWords, descriptions };
  if (argument.argChoices) return { words: [...argument.argChoices, ...flagWords], descriptions };
  const dynamic = ARGUMENT_VALUES[argument.name()];
  return { words: flagWords, descriptions, ...(dynamic ? { dynamic } : {}), ...(namespace !== undefined ? { namespace } : {}) };
}
