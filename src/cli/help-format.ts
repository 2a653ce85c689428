import type { Command, CommandUnknownOpts } from '@commander-js/extra-typings';
import type { HelpItem } from './help-text.js';

/** The width commander wraps this command's help to. */
const widthOf = (command: Command) => command.configureOutput().getOutHelpWidth?.() ?? 80;

/** Sections after the help: terms and their meaning, wrapped as commander wraps its own (a long term puts its text below). */
export function helpSections(command: Command, sections: [title: string, items: readonly HelpItem[]][]): string {
  const helper = command.createHelp();
  const width = widthOf(command);
  const lines: string[] = [];
  for (const [title, items] of sections) {
    lines.push('', title);
    const termWidth = Math.min(Math.max(...items.map(([term]) => term.length)), 30);
    for (const [term, text] of items) {
      const wrapped = helper.boxWrap(text, width - termWidth - 4).split('\n');
      const first = term.length <= termWidth ? `  ${term.padEnd(termWidth)}  ${wrapped.shift()}` : `  ${term}`;
      lines.push(first, ...wrapped.map((line) => `${' '.repeat(termWidth + 4)}${line}`));
    }
  }
  return lines.join('\n') + '\n';
}

// Text after the help starts with its blank line and ends without a newline: commander adds one.

/** Examples after the help: what each does, then the command. */
export function helpExamples(examples: readonly HelpItem[]): string {
  return ['', 'Examples:', ...examples.flatMap(([command, text]) => [`  # ${text}`, `  ${command}`])].join('\n');
}

const EXAMPLES_OF = new WeakMap<object, readonly HelpItem[]>();

/** Gives a command an Examples section after its help (the man page shows them too: examplesOf). */
export function withExamples<C extends CommandUnknownOpts>(command: C, examples: readonly HelpItem[]): C {
  EXAMPLES_OF.set(command, examples);
  command.addHelpText('after', () => helpExamples(examples));
  return command;
}

/** The examples withExamples gave a command. */
export function examplesOf(command: object): readonly HelpItem[] {
  return EXAMPLES_OF.get(command) ?? [];
}

/** Paragraphs after the help, wrapped to its width; a preformatted block (an example file) as it is. */
export function helpParagraphs(command: Command, paragraphs: readonly string[], preformatted?: string): string {
  const helper = command.createHelp();
  const wrapped = paragraphs.map((p) => helper.boxWrap(p, widthOf(command) - 2).replace(/^/gm, '  '));
  return ['', ...wrapped.flatMap((p, i) => (i === 0 ? [p] : ['', p])), ...(preformatted ? ['', preformatted.replace(/^/gm, '  ')] : [])].join('\n');
}
