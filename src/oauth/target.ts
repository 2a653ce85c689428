import type { OAuthSettings } from '../config/schema.js';

export type { OAuthSettings };

/** An HTTP MCP server that may need OAuth: its name (the token's name), URL and resolved settings. */
export interface OAuthTarget {
  name: string;
  url: string;
  oauth?: OAuthSettings;
}
