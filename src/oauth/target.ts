import type { OAuthDefaults, OAuthSettings } from '../config/schema.js';

export type { OAuthSettings };

/** An HTTP MCP server that may need OAuth: its name (the token's name), URL and resolved settings. */
export interface OAuthTarget {
  name: string;
  url: string;
  /** Which of the server's logins: a named account (`--account`, the entry's `account`), else its default login. */
  account?: string;
  oauth?: OAuthSettings;
  /** The config file's top-level `oauth` block: what the server's own block leaves unset. */
  defaults?: OAuthDefaults;
}

/**
 * The name a login is stored under, in the `oauth` and `oauth-client` namespaces and its refresh lock:
 * the server's name for its default login (as before accounts existed), `SERVER@ACCOUNT` for a named one.
 */
export function loginName(target: { name: string; account?: string }): string {
  return target.account === undefined ? target.name : `${target.name}@${target.account}`;
}
