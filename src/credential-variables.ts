/**
 * The variables that hold mcp-cli's own credentials, each of which opens or changes the whole token
 * store: no program mcp-cli starts inherits them, and no reference (`${VAULT_TOKEN}` in a config, an
 * env file or `exec --env`) hands one on.
 */
export const CREDENTIAL_VARIABLES = {
  MCP_CLI_ENCRYPTION_KEY: 'the passphrase of the encrypted token file',
  MCP_CLI_NEW_ENCRYPTION_KEY: 'the new passphrase of the encrypted token file',
  MCP_CLI_EXPORT_PASSPHRASE: 'the passphrase of exported token bundles',
  VAULT_TOKEN: 'the token of the Vault backend',
} as const;

export type CredentialVariable = keyof typeof CREDENTIAL_VARIABLES;

/** The credential a variable name reaches, or undefined; Windows reads variables whatever their case, so case is ignored. */
export function credentialVariable(name: string): CredentialVariable | undefined {
  const upper = name.toUpperCase();
  return Object.hasOwn(CREDENTIAL_VARIABLES, upper) ? (upper as CredentialVariable) : undefined;
}
