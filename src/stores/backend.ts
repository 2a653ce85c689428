import type { Writable } from 'node:stream';
import type { TokenStorageSettings } from '../config/token-storage.js';
import type { Prompter } from '../io/prompter.js';
import type { Env } from '../paths.js';
import type { BackendName, SecretStore } from './store.js';

/** What a backend may use to probe and open itself. */
export interface BackendEnv {
  env: Env;
  platform: NodeJS.Platform;
  settings: TokenStorageSettings;
  prompter: Prompter;
  /** Whether a passphrase can be asked (a terminal, or the controlling terminal). */
  canPrompt: boolean;
  stderr: Writable;
}

export interface Availability {
  available: boolean;
  /** Why not, or where it stores tokens when it is available. */
  detail: string;
  /** How to make it available, when it is not. */
  hint?: string;
}

/**
 * How a backend takes part in automatic selection:
 * `claim` — configured by the environment and must be used (a failure is an error, not a fallback);
 * `if-available` — used when its probe succeeds; `fallback` — used when nothing before it was; `skip`.
 */
export type AutoRole = 'claim' | 'if-available' | 'fallback' | 'skip';

export interface BackendDescriptor {
  name: BackendName;
  autoRole(be: BackendEnv): AutoRole;
  probe(be: BackendEnv): Promise<Availability>;
  /** Opens the store; throws a CliError saying how to fix it when unavailable. */
  open(be: BackendEnv): Promise<SecretStore>;
}
