import type { IdpSettings, OAuthDefaults, OAuthSettings } from '../config/schema.js';

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
  /** The enterprise identity provider of your own config, for a server with `"oauth": { "idp": true }`. */
  idp?: IdpSettings;
}

/** A server whose tokens come from a new grant each time, with no person: client credentials, a workload's JWT, or the enterprise identity provider. */
export function grantsItself(oauth: OAuthSettings | undefined): boolean {
  return oauth?.grant === 'client_credentials' || oauth?.grant === 'jwt_bearer' || oauth?.idp === true;
}

/**
 * The name a login is stored under, in the `oauth` and `oauth-client` namespaces and its refresh lock:
 * the server's name for its default login (as before accounts existed), `SERVER@ACCOUNT` for a named one.
 */
export function loginName(target: { name: string; account?: string }): string {
  return target.account === undefined ? target.name : `${target.name}@${target.account}`;
}
