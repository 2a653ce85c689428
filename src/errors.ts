import { StoreError } from './stores/errors.js';

/** Exit codes shared by every command (the README's "Exit codes" table). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  cancelled: 2,
  authRequired: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error meant for the user: its message is printed as is, so it must never
 * contain a secret value. `hint` is an optional second line saying how to fix it.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.failure,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** No token of that name in the namespaces searched (a `not-found` StoreError). */
export class TokenNotFoundError extends StoreError {
  constructor(
    readonly tokenName: string,
    readonly searched: string[],
    /** Other namespaces that hold a token of this name. */
    readonly elsewhere: string[] = [],
  ) {
    const where =
      searched.length === 1
        ? `namespace '${searched[0]}'`
        : searched.length === 0
          ? 'any namespace (the store is empty)'
          : `namespaces ${searched.map((n) => `'${n}'`).join(', ')}`;
    const found =
      elsewhere.length === 0
        ? ''
        : `; a token of that name is in ${elsewhere.length === 1 ? 'namespace' : 'namespaces'} ${elsewhere.map((n) => `'${n}'`).join(', ')}`;
    super('not-found', `token '${tokenName}' not found in ${where}${found}`);
  }
}

/** A name stored in several namespaces, asked for without one (an `ambiguous` StoreError). */
export class AmbiguousTokenError extends StoreError {
  constructor(
    readonly tokenName: string,
    readonly namespaces: string[],
  ) {
    super('ambiguous', `token '${tokenName}' exists in several namespaces: ${namespaces.join(', ')}`, { remedy: 'name the namespace of the one you mean' });
  }
}

export class CancelledError extends CliError {
  constructor(message = 'cancelled') {
    super(message, ExitCode.cancelled);
  }
}
