import { homedir } from 'node:os';
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
  /** The account's home in the system's user database, which `~` in settings means; without it, HOME. */
  home?: string;
  /**
   * Set for `mcp-cli run`, whose environment an MCP client's entry (a project file) can set: no
   * variable may then move the token file or point Vault elsewhere than the settings say.
   */
  clientEnvironment?: boolean;
}

/** What `~` in a setting means: the account's home, else HOME. */
export function homeOf(be: Pick<BackendEnv, 'home' | 'env'>): string {
  return be.home ?? (be.env.HOME || homedir());
}

/** Why a variable is not taken as the user's word when `clientEnvironment` is set (the same variable typed in a shell is). */
export const SET_BY_CLIENT = "in a process that an MCP client starts, a server entry's env, which a project file may write, can set this variable";

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
