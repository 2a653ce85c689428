import type { Env } from './paths.js';

/**
 * mcp-cli's own credentials, which unlock the whole token store (or change it): no program that
 * mcp-cli starts inherits them (`exec`'s program, the browser of a login), unless given one on purpose.
 */
export const WITHHELD_VARIABLES = ['MCP_CLI_ENCRYPTION_KEY', 'MCP_CLI_NEW_ENCRYPTION_KEY', 'MCP_CLI_EXPORT_PASSPHRASE', 'VAULT_TOKEN'] as const;

/** The environment without mcp-cli's own credentials (and without unset variables). */
export function withoutCredentials(env: Env): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !(WITHHELD_VARIABLES as readonly string[]).includes(name)) kept[name] = value;
  return kept;
}
