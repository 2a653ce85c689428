import type { Register } from './kit.js';

export interface CommandGroup {
  /** The top-level commands the group module defines. */
  commands: readonly string[];
  load(): Promise<{ register: Register }>;
}

/**
 * The command table, one module per group: a command that runs builds only its own group.
 * A new command is one block in its group's module; a new group is one module and one line here.
 * The order is the order of the top-level help.
 */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  { commands: ['token'], load: () => import('./token.js') },
  { commands: ['servers', 'ping', 'tools', 'call'], load: () => import('./servers.js') },
  { commands: ['run', 'exec'], load: () => import('./run.js') },
  { commands: ['clients'], load: () => import('./clients.js') },
  { commands: ['config'], load: () => import('./config.js') },
  { commands: ['auth'], load: () => import('./auth.js') },
  { commands: ['completion', '__complete'], load: () => import('./completion.js') },
];
