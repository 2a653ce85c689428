// The library entry: embed the token manager and stores in other tools.
export { TokenManager, type SetTokenInput } from './tokens/manager.js';
export * from './tokens/model.js';
export { typesFromSwitches, matchesFilter, type TokenFilter, type TypeSwitches } from './tokens/filter.js';
export { validateIdentifier } from './tokens/names.js';
export { parseExpiry, parseDuration } from './tokens/duration.js';
export { BACKEND_NAMES, isBackendName, type BackendName, type SecretStore } from './stores/store.js';
export type { BackendDescriptor, BackendEnv, Availability, AutoRole } from './stores/backend.js';
export { BACKENDS } from './stores/registry.js';
export { requestedBackend, selectBackend, openSelected, type Selection, type BackendRequest } from './stores/selection.js';
export { EncryptedFileStore } from './stores/encrypted/store.js';
export { passphraseSource, type PassphraseSource } from './stores/encrypted/passphrase.js';
export type { VaultSettings } from './config/vault-settings.js';
export { CliError, ExitCode, TokenNotFoundError, AmbiguousTokenError, CancelledError } from './errors.js';
export { StoreError, STORE_ERROR_KINDS, type StoreErrorKind, type StoreErrorOptions } from './stores/errors.js';
// server_config.json: references and their resolution.
export {
  parseTemplate,
  escapeLiteral,
  describeReference,
  ReferenceSyntaxError,
  type Reference,
  type TokenReference,
  type EnvReference,
  type Segment,
} from './config/references.js';
export { tokenFieldValue } from './tokens/fields.js';
export { resolveServers, type TokenLookup, type ResolveDeps, type ResolvedServer, type ReferenceUse } from './config/resolve.js';
export type { ServerEntry, StdioServerEntry, HttpServerEntry, OAuthSettings, ServerConfig } from './config/schema.js';
// Token lifecycle: provider key checks for `token validate`, mutual TLS and validation settings.
export { checkProviderKey, providerTarget, KNOWN_PROVIDERS, type ProviderApi, type ProviderTarget } from './validation/providers.js';
export { overallResult, type Check, type CheckKind, type CheckResult, type TokenResult } from './validation/report.js';
export type { TlsSettings, TokenValidationSettings, ProviderEndpoint } from './config/schema.js';
export { KEYCHAIN_SERVICE, macosKeychainBackend, secretServiceBackend, windowsCredentialManagerBackend } from './stores/keychain/descriptor.js';
export { KeychainStore } from './stores/keychain/store.js';
