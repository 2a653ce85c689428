import { CliError } from '../../errors.js';
import type { Prompter } from '../../io/prompter.js';
import type { Env } from '../../paths.js';

export const PASSPHRASE_ENV = 'MCP_CLI_ENCRYPTION_KEY';

export interface PassphraseSource {
  /** `create` asks twice on a terminal, because a typo would lock the user out of a new file. */
  get(purpose: 'unlock' | 'create', fileLabel: string): Promise<string>;
}

/** Passphrase from `MCP_CLI_ENCRYPTION_KEY`, else a hidden prompt when one is possible. Asked once per process. */
export function passphraseSource(deps: { env: Env; prompter: Prompter; canPrompt: boolean }): PassphraseSource {
  let remembered: string | undefined;
  return {
    async get(purpose, fileLabel) {
      if (remembered !== undefined) return remembered;
      const fromEnv = deps.env[PASSPHRASE_ENV];
      if (fromEnv !== undefined && fromEnv !== '') return (remembered = fromEnv);
      if (!deps.canPrompt)
        throw new CliError(
          `a passphrase is needed for the encrypted token file ${fileLabel}, and there is no terminal to ask for it`,
          1,
          `set ${PASSPHRASE_ENV}, or run the command in a terminal`,
        );
      if (purpose === 'unlock') {
        remembered = await deps.prompter.secret(`Passphrase for ${fileLabel}: `);
      } else {
        const first = await deps.prompter.secret(`New passphrase for ${fileLabel}: `);
        const second = await deps.prompter.secret('Repeat the passphrase: ');
        if (first !== second) throw new CliError('the two passphrases differ; nothing was written');
        remembered = first;
      }
      if (remembered === '') {
        remembered = undefined;
        throw new CliError('the passphrase must not be empty; nothing was written');
      }
      return remembered;
    },
  };
}
