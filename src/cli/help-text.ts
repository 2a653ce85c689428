// The text of the top-level help beyond the command table; the man page (scripts/man-page.ts)
// is made from the same words.

/** A term and what it means: an environment variable, an example command. */
export type HelpItem = readonly [term: string, text: string];

export const ENVIRONMENT: readonly HelpItem[] = [
  ['MCP_CLI_TOKEN_BACKEND', 'the token backend, as --token-backend: auto, keychain, credential-manager, secret-service, vault or encrypted'],
  ['MCP_CLI_CONFIG', 'the server_config.json to use, as --config'],
  ['MCP_CLI_CONFIG_DIR', 'the config directory (default $XDG_CONFIG_HOME/mcp-cli, else ~/.config/mcp-cli); moved from your home, it needs approval'],
  ['MCP_CLI_ENCRYPTION_KEY', 'the passphrase of the encrypted token file (else an unlock session, else a prompt)'],
  ['MCP_CLI_NEW_ENCRYPTION_KEY', 'the new passphrase for `token passphrase`'],
  ['MCP_CLI_EXPORT_PASSPHRASE', 'the passphrase of `token export` and `token import` bundles'],
  ['MCP_CLI_TOKEN_EXPIRY_WARNING', 'how long before expiry a token in use is named in a warning (default 7d; off)'],
  ['MCP_CLI_KEYCHAIN_SERVICE', "the OS keychain's service name for the items (default mcp-cli)"],
  ['MCP_CLI_KEYCHAIN_TIMEOUT_MS', 'how long to wait for the OS keychain, in milliseconds (default 3000)'],
  ['MCP_CLI_AUDIT_LOG', 'the audit log file (default $XDG_STATE_HOME/mcp-cli/audit.log); a moved log is named by token audit --verify and token backends'],
  ['MCP_CLI_BROWSER, BROWSER', 'the browser that OAuth logins open'],
  ['MCP_CLI_DEBUG', 'print the stack trace of an unexpected error'],
  ['MCP_CLI_STARTED_BY', 'set by mcp-cli for the programs it starts (exec, stdio servers): they and what they start get no key from the unlock session'],
  ['VAULT_ADDR, VAULT_TOKEN', 'HashiCorp Vault and its token: with them, auto keeps tokens in Vault'],
  ['VAULT_NAMESPACE, VAULT_CACERT, VAULT_CAPATH, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY, VAULT_SKIP_VERIFY', "as for Vault's own CLI"],
  ['VAULT_SECRET_ID', 'the AppRole secret_id, for the login that tokenStorage.vault.auth names (method approle)'],
  ['VAULT_ROLE', 'the role of a JWT or Kubernetes login that tokenStorage.vault.auth names'],
  [
    'HTTPS_PROXY, HTTP_PROXY, NO_PROXY (or lower case)',
    'the proxy for https:// and http:// requests, and the hosts that go straight (matched as curl does); see docs/config.md',
  ],
  ['NODE_EXTRA_CA_CERTS', "a PEM file of CAs trusted besides the system's: a TLS-inspecting proxy's own CA"],
  ['NO_COLOR, FORCE_COLOR, CLICOLOR, CLICOLOR_FORCE', 'colours (only on a terminal unless forced)'],
  ['COLUMNS', 'the width that tables fit on a terminal (default: the width of the terminal)'],
  [
    'XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME, XDG_RUNTIME_DIR',
    'where config, tokens.enc, the audit log, the remembered protocol eras (eras.json) and the unlock agent live',
  ],
];

export const EXIT_CODES: readonly HelpItem[] = [
  ['0', 'success'],
  ['1', 'failure: not found, invalid input, a wrong passphrase, an unavailable backend'],
  ['2', 'cancelled: a declined confirmation, Ctrl-C at a prompt'],
  ['4', 'authentication needed: a missing or expired token for a server, a refused login; token check and token validate when a token is due'],
];

/** Where the documents that help, errors and the man page name (`see docs/config.md`) are. */
export const LEARN_MORE =
  'The README and docs/ of the mcp-cli package: installed with it (after a global install, in the mcp-cli folder of `npm root -g`), and at https://github.com/mcp-cli/mcp-cli';

export const EXAMPLES: readonly HelpItem[] = [
  ['mcp-cli token set my-api --type bearer', 'store a bearer token; the value is asked for, hidden'],
  ['echo "$KEY" | mcp-cli token set openai --type api-key --provider openai', 'or take the value from a pipe'],
  ['export OPENAI_API_KEY=$(mcp-cli token get openai --show-value)', 'the bare value, for a script'],
  ['mcp-cli token list --expiring-within 7d', 'tokens that expire within a week'],
  ['mcp-cli servers', 'the servers of server_config.json and the state of their tokens'],
  ["mcp-cli exec --env 'OPENAI_API_KEY=${TOKEN:api-key:openai}' -- python agent.py", 'a program with a token in its environment'],
  ['claude mcp add github -- mcp-cli run github', 'an MCP client starts the server through mcp-cli'],
  ['mcp-cli clients import claude-desktop --dry-run', "what moving a client's plaintext keys into the store would change"],
  ['eval "$(mcp-cli completion bash)"', 'completion for bash (mcp-cli completion lists the other shells)'],
];
