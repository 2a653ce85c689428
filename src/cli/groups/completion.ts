import type { Register } from './kit.js';

/** The shells `completion` prints a script for, and how each loads it. */
export const SHELL_SETUP: readonly (readonly [shell: 'bash' | 'zsh' | 'fish' | 'powershell', load: string, where: string])[] = [
  ['bash', 'eval "$(mcp-cli completion bash)"', '~/.bashrc'],
  ['zsh', 'eval "$(mcp-cli completion zsh)"', '~/.zshrc, after compinit'],
  ['fish', 'mcp-cli completion fish | source', '~/.config/fish/config.fish'],
  ['powershell', 'mcp-cli completion powershell | Out-String | Invoke-Expression', '$PROFILE'],
];

/** What `mcp-cli completion` without a shell prints. */
function shellList(): string {
  const width = Math.max(...SHELL_SETUP.map(([shell]) => shell.length));
  return [
    `Shells: ${SHELL_SETUP.map(([shell]) => shell).join(', ')}. Load the script of yours in its startup file:`,
    ...SHELL_SETUP.flatMap(([shell, load, where]) => ['', `  ${shell.padEnd(width)}  ${load}`, `  ${' '.repeat(width)}  (in ${where})`]),
    '',
  ].join('\n');
}

/** `mcp-cli completion SHELL`, and the `__complete` the printed scripts call on every Tab. */
export const register: Register = (program, kit) => {
  const completion = kit.examples(
    program.command('completion'),
    SHELL_SETUP.map(([shell, load, where]) => [load, `completion for ${shell === 'powershell' ? 'PowerShell' : shell}, in ${where}`] as const),
  );
  completion
    .description('print a shell completion script for bash, zsh, fish or PowerShell; without a shell, list them and how each loads its script')
    .addArgument(completion.createArgument('[shell]', 'the shell').choices(SHELL_SETUP.map(([shell]) => shell)))
    .action(async (shell) => {
      const io = await kit.io();
      if (shell === undefined) {
        io.stdout.write(shellList());
        return;
      }
      const { SCRIPTS } = await import('../../commands/completion/scripts.js');
      io.stdout.write(SCRIPTS[shell]);
    });

  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .option('--descriptions', 'follow each subcommand and flag with a tab and what it does')
    .option('--current <word>', 'the word being completed (else the last of the words)')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words, options, command) => {
      const typed = options.current === undefined ? words.slice(0, -1) : words;
      const current = options.current ?? words.at(-1) ?? '';
      const [{ slotFor }, table] = await Promise.all([import('../completion-slot.js'), kit.table(typed)]);
      const slot = slotFor(table, typed);
      await (await import('../../commands/completion/complete.js')).run(slot, current, await kit.ctx(command), { descriptions: options.descriptions });
      kit.endWith(0);
    });
};
