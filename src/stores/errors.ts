import type { BackendName } from './store.js';

/**
 * What went wrong in a store, from a closed set (as keyring-core's `Error` enum):
 * - `not-found`: no such token, or no store yet (a token file not created);
 * - `ambiguous`: a name that matches several tokens;
 * - `locked`: the store is here but locked (a keyring to unlock, a file without its passphrase);
 * - `no-access`: permission denied, or the request refused;
 * - `unavailable`: not reachable, timed out, sealed, rate-limited, failing;
 * - `conflict`: a concurrent change won (check-and-set, a lock held too long);
 * - `too-large`: a value or its metadata exceeds what the store can hold;
 * - `corrupt`: damaged or unreadable data, data that is not ours, a format we cannot read;
 * - `wrong-passphrase`: a passphrase that does not open the file, or one that cannot be used;
 * - `invalid-setting`: a setting with a bad value (a backend name, `VAULT_*`, a timeout);
 * - `io`: a file system operation failed.
 */
export const STORE_ERROR_KINDS = [
  'not-found',
  'ambiguous',
  'locked',
  'no-access',
  'unavailable',
  'conflict',
  'too-large',
  'corrupt',
  'wrong-passphrase',
  'invalid-setting',
  'io',
] as const;
export type StoreErrorKind = (typeof STORE_ERROR_KINDS)[number];

export interface StoreErrorOptions {
  /** The backend that failed, where known. */
  backend?: BackendName;
  /** How to fix it, in plain words that name no command, flag or variable of this program's own. */
  remedy?: string;
  /** Set when the error refuses a backend selection: whether automatic selection chose the backend or it was named. */
  selection?: 'auto' | 'explicit';
  /** For a refused selection: the backends available here instead, in the order auto would consider them. */
  alternatives?: BackendName[];
}

/** A store's failure. Its message is shown as is, so it never contains a secret value. */
export class StoreError extends Error {
  readonly backend?: BackendName;
  readonly remedy?: string;
  readonly selection?: 'auto' | 'explicit';
  readonly alternatives?: BackendName[];

  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    options: StoreErrorOptions = {},
  ) {
    super(message);
    this.name = new.target.name;
    if (options.backend) this.backend = options.backend;
    if (options.remedy) this.remedy = options.remedy;
    if (options.selection) this.selection = options.selection;
    if (options.alternatives) this.alternatives = options.alternatives;
  }
}
