/** The `oauth` block of a server entry in server_config.json. */
export interface OAuthSettings {
  /** A pre-registered client; used before a client ID metadata document or dynamic registration. */
  clientId?: string;
  /** Its secret, already resolved (the config may hold a `${TOKEN:...}` reference). */
  clientSecret?: string;
  scopes?: string[];
  /** Fixes the loopback listener's port (for clients registered with one redirect URI). */
  callbackPort?: number;
  /** Skips discovery: the authorization server's RFC 8414 / OpenID metadata document. */
  authServerMetadataUrl?: string;
  /** An HTTPS URL serving this client's metadata document, for servers that accept one. */
  clientMetadataUrl?: string;
}

/** An HTTP MCP server that may need OAuth: its name (the token's name), URL and settings. */
export interface OAuthTarget {
  name: string;
  url: string;
  oauth?: OAuthSettings;
}
