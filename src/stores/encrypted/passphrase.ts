import type { Prompter } from '../../io/prompter.js';
import type { Env } from '../../paths.js';
import { StoreError } from '../errors.js';

export const PASSPHRASE_ENV = 'MCP_CLI_ENCRYPTION_KEY';

/** How many times a prompt asks, as sudo does: a typo is not the end of the command. */
export const PROMPT_TRIES = 3;

export interface PassphraseSource {
  /** `create` asks twice on a terminal, because a typo would lock the user out of a new file. */
  get(purpose: 'unlock' | 'create', fileLabel: string): Promise<string>;
  /**
   * The passphrase from `get('unlock')` did not fit. True when another may be asked (it came
   * from a prompt that has tries left): the next `get` asks again.
   */
  rejected?(): boolean;
}

/** Fewer characters than this make a new passphrase weak: scrypt slows each guess, it does not make a short passphrase long. */
export const STRONG_PASSPHRASE_LENGTH = 12;

/** Why a new passphrase is easy to guess, or undefined when it is not (a rough rule, said as such). */
export function passphraseWeakness(passphrase: string): string | undefined {
  const chars = [...passphrase];
  if (chars.length < STRONG_PASSPHRASE_LENGTH)
    return `it has ${chars.length} character${chars.length === 1 ? '' : 's'}, fewer than ${STRONG_PASSPHRASE_LENGTH}`;
  if (new Set(chars).size < 5) return 'it repeats a few characters';
  return undefined;
}

/** The warning shown, before the passphrase is repeated, when it is weak. */
function weakWarning(why: string): string {
  return (
    `! This passphrase is weak (${why}): whoever gets the file can try passphrases offline; several words or ${STRONG_PASSPHRASE_LENGTH}+ characters are stronger. ` +
    'A lost passphrase loses every token it protects: nothing can recover them.\n' +
    'Repeat it to use it anyway, or press Enter to choose another.\n'
  );
}

/** Asks for a new passphrase twice (a weak one with a warning first); a mismatch or an empty answer asks again, up to PROMPT_TRIES times. */
export async function askNewPassphrase(prompter: Prompter, question: string): Promise<string> {
  let problem = '';
  for (let attempt = 1; ; attempt++) {
    const first = await prompter.secret(`${problem}${question}`);
    const weakness = first === '' ? undefined : passphraseWeakness(first);
    const second = first === '' ? undefined : await prompter.secret(`${weakness ? weakWarning(weakness) : ''}Repeat the passphrase: `);
    if (first !== '' && first === second) return first;
    const why =
      first === '' ? 'the passphrase must not be empty' : weakness && second === '' ? 'the weak passphrase was not repeated' : 'the two passphrases differ';
    if (attempt >= PROMPT_TRIES) throw new StoreError('wrong-passphrase', `${why}; nothing was written`);
    problem = `${why[0]!.toUpperCase()}${why.slice(1)}; try again.\n`;
  }
}

/**
 * Passphrase from `MCP_CLI_ENCRYPTION_KEY`, else a hidden prompt when one is possible (on the
 * terminal, or the controlling terminal when standard input is a pipe). Asked once per process;
 * a wrong one typed at the prompt may be typed again.
 */
export function passphraseSource(deps: { env: Env; prompter: Prompter; canPrompt: boolean }): PassphraseSource {
  let remembered: string | undefined;
  let prompted = 0;
  let retrying = false;
  return {
    async get(purpose, fileLabel) {
      if (remembered !== undefined) return remembered;
      const fromEnv = deps.env[PASSPHRASE_ENV];
      if (fromEnv !== undefined && fromEnv !== '') return (remembered = fromEnv);
      if (!deps.canPrompt)
        throw new StoreError('locked', `a passphrase is needed for the encrypted token file ${fileLabel}, and there is no terminal to ask for it`, {
          backend: 'encrypted',
        });
      prompted++;
      if (purpose === 'create') return (remembered = await askNewPassphrase(deps.prompter, `New passphrase for ${fileLabel}: `));
      const answer = await deps.prompter.secret(`${retrying ? 'Sorry, try again.\n' : ''}Passphrase for ${fileLabel}: `);
      if (answer === '') throw new StoreError('wrong-passphrase', 'the passphrase must not be empty; nothing was written');
      return (remembered = answer);
    },
    rejected() {
      if (prompted === 0 || prompted >= PROMPT_TRIES) return false;
      remembered = undefined;
      retrying = true;
      return true;
    },
  };
}
