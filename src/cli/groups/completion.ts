import type { Register } from './kit.js';

/** `mcp-cli completion SHELL`, and the `__complete` the printed scripts call on every Tab. */
export const register: Register = (program, kit) => {
  const completion = program.command('completion');
  completion
    .description('print a shell completion script: eval "$(mcp-cli completion bash)", zsh likewise, mcp-cli completion fish | source')
    .addArgument(completion.createArgument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish'] as const))
    .action(async (shell) => {
      const [{ SCRIPTS }, io] = await Promise.all([import('../../commands/completion/scripts.js'), kit.io()]);
      io.stdout.write(SCRIPTS[shell]);
    });

  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words, _options, command) => {
      const typed = words.slice(0, -1);
      const [{ slotFor }, table] = await Promise.all([import('../completion-slot.js'), kit.table(typed)]);
      const slot = slotFor(table, typed);
      await (await import('../../commands/completion/complete.js')).run(slot, words.at(-1) ?? '', await kit.ctx(command));
      kit.endWith(0);
    });
};
