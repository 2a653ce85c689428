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

export class TokenNotFoundError extends CliError {
  constructor(
    readonly tokenName: string,
    readonly searched: string[],
  ) {
    const where = searched.length === 1 ? `namespace '${searched[0]}'` : searched.length === 0 ? 'any namespace (the store is empty)' : `namespaces ${searched.map((n) => `'${n}'`).join(', ')}`;
    super(`token '${tokenName}' not found in ${where}`, ExitCode.failure, 'run `mcp-cli token list` to see stored tokens');
  }
}

export class AmbiguousTokenError extends CliError {
  constructor(
    readonly tokenName: string,
    readonly namespaces: string[],
  ) {
    super(
      `token '${tokenName}' exists in several namespaces: ${namespaces.join(', ')}`,
      ExitCode.failure,
      `choose one with --namespace, e.g. --namespace ${namespaces[0]}`,
    );
  }
}

export class CancelledError extends CliError {
  constructor(message = 'cancelled') {
    super(message, ExitCode.cancelled);
  }
}
