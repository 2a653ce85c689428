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
  /**
   * Set when the backend is here but cannot be used now: `locked` (a keyring to unlock) or
   * `unusable` (refusing access, not answering). Automatic selection then stops with an error
   * instead of passing over it: tokens must not land in one backend today and another tomorrow.
   */
  present?: 'locked' | 'unusable';
  /** How the backend authenticates, where there is a choice (Vault's auth method and its mount); never a secret. */
  auth?: { method: string; mount?: string };
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
  /** For a `claim`: what configured the backend, in words (default: the environment). */
  claimedBy?(be: BackendEnv): string;
  probe(be: BackendEnv): Promise<Availability>;
  /** Opens the store; throws a StoreError saying how to fix it when unavailable. */
  open(be: BackendEnv): Promise<SecretStore>;
  /**
   * Where tokens of this backend may lie unused, when that can be told with a single file
   * check (no keychain or network call): a location to name, or undefined.
   */
  leftovers?(be: BackendEnv): string | undefined;
  /** How many tokens the backend holds, where a probe already made can tell cheaply (for `token backends`). */
  countTokens?(be: BackendEnv): Promise<number | undefined>;
}
