import type { OAuthDefaults, OAuthSettings } from '../config/schema.js';

export type { OAuthSettings };

/** An HTTP MCP server that may need OAuth: its name (the token's name), URL and resolved settings. */
export interface OAuthTarget {
  name: string;
  url: string;
  oauth?: OAuthSettings;
  /** The config file's top-level `oauth` block: what the server's own block leaves unset. */
  defaults?: OAuthDefaults;
}
