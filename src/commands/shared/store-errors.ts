import { AmbiguousTokenError, CliError, ExitCode, TokenNotFoundError, type ExitCodeValue } from '../../errors.js';
import { StoreError, type StoreErrorKind } from '../../stores/errors.js';
import { PASSPHRASE_ENV } from '../../stores/encrypted/passphrase.js';
import type { BackendName } from '../../stores/store.js';

/** Every store failure is a failure (README "Exit codes"); none is a cancellation or a missing login. */
const EXIT_CODES: Record<StoreErrorKind, ExitCodeValue> = {
  'not-found': ExitCode.failure,
  ambiguous: ExitCode.failure,
  locked: ExitCode.failure,
  'no-access': ExitCode.failure,
  unavailable: ExitCode.failure,
  conflict: ExitCode.failure,
  'too-large': ExitCode.failure,
  corrupt: ExitCode.failure,
  'wrong-passphrase': ExitCode.failure,
  'invalid-setting': ExitCode.failure,
  io: ExitCode.failure,
};

const KEYCHAINS: readonly (BackendName | undefined)[] = ['keychain', 'credential-manager', 'secret-service'];

const join = (...parts: (string | undefined)[]) => parts.filter(Boolean).join('; ') || undefined;

/** The store's remedy, with what only the CLI can add: its commands, flags and variables. */
function hintOf(error: StoreError): string | undefined {
  const { kind, backend, remedy } = error;
  if (error instanceof TokenNotFoundError)
    return error.elsewhere.length === 1 ? `use --namespace ${error.elsewhere[0]}` : 'run `mcp-cli token list` to see stored tokens';
  if (error instanceof AmbiguousTokenError) return `choose one with --namespace, e.g. --namespace ${error.namespaces[0]}`;
  if (backend === 'encrypted') {
    if (kind === 'not-found') return 'store a token first (`mcp-cli token set NAME`); the file is created then';
    if (kind === 'locked') return `set ${PASSPHRASE_ENV}, run the command in a terminal, or unlock the file for a while with \`mcp-cli token unlock\``;
    if (kind === 'wrong-passphrase') return `check ${PASSPHRASE_ENV} (or the passphrase you typed); the file was left untouched`;
  }
  if (backend === 'vault' && kind === 'corrupt') return 'store the token again with `mcp-cli token set`';
  if ((kind === 'locked' || kind === 'unavailable') && error.alternatives?.length) return join(remedy, instead(error.alternatives));
  if (KEYCHAINS.includes(backend) && (kind === 'locked' || kind === 'unavailable')) {
    if (error.selection === 'auto') return join(remedy, 'to use another backend instead, choose it explicitly, e.g. --token-backend encrypted');
    if (error.selection === undefined) return join(remedy, '`mcp-cli token backends` shows its state');
  }
  return remedy;
}

/** The way forward from a backend that cannot be used: the ones that work here, chosen explicitly (never a silent switch). */
function instead(alternatives: BackendName[]): string {
  const [first] = alternatives;
  return `available here instead: ${alternatives.join(', ')}; choose one explicitly, e.g. --token-backend ${first} (or MCP_CLI_TOKEN_BACKEND=${first} for every command); it holds its own tokens (\`mcp-cli token migrate\` moves them)`;
}

/** A store's error as the CLI reports it: the message as is, the hint for this program, the exit code. */
export function storeErrorToCli(error: StoreError): CliError {
  return new CliError(error.message, EXIT_CODES[error.kind], hintOf(error));
}

/** An error meant for the user as a CliError (a StoreError translated), or undefined for anything else. */
export function asCliError(error: unknown): CliError | undefined {
  if (error instanceof CliError) return error;
  if (error instanceof StoreError) return storeErrorToCli(error);
  return undefined;
}
