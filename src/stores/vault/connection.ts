import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { VaultSettings } from '../../config/vault-settings.js';
import { fsReason } from '../../fs/errors.js';
import { expandHome, tildePath, type Env } from '../../paths.js';
import { StoreError, type StoreErrorKind } from '../errors.js';

/** Vault's own CLI default when VAULT_ADDR is unset. */
export const DEFAULT_VAULT_ADDR = 'https://127.0.0.1:8200';

export interface TlsMaterial {
  ca?: Buffer[];
  cert?: Buffer;
  key?: Buffer;
  verify: boolean;
  /** What turned verification off, for the warning: `VAULT_SKIP_VERIFY` or `tokenStorage.vault.tlsVerify`. */
  verifyOffBy?: string;
}

/** Everything needed to talk to Vault, resolved from tokenStorage.vault and the VAULT_* variables. */
export interface VaultConnection {
  address: string;
  namespace?: string;
  mount: string;
  pathPrefix: string;
  kvVersion: 'auto' | 1 | 2;
  tls: TlsMaterial;
}

export interface VaultToken {
  value: string;
  /** Where it came from, for messages: `VAULT_TOKEN` or `~/.vault-token`. */
  source: string;
}

/** Where a client's Vault token comes from: handed over once (VAULT_TOKEN), or a login kept fresh. */
export interface TokenSource {
  /** For messages, never the token: `VAULT_TOKEN`, `~/.vault-token`, `an AppRole login at auth/approle/ (...)`. */
  readonly source: string;
  /** The token to send now. */
  current(): Promise<string>;
  /** Vault answered 403 to a request with `token`: a fresh token to try once more with, or undefined when the 403 stands. */
  refused(token: string): Promise<string | undefined>;
}

export const fixedToken = (token: VaultToken): TokenSource => ({ source: token.source, current: async () => token.value, refused: async () => undefined });

/** A failure of the Vault backend. */
export const vaultFailure = (kind: StoreErrorKind, message: string, remedy?: string) => new StoreError(kind, message, { backend: 'vault', remedy });

/** strconv.ParseBool, which Vault's CLI uses for VAULT_SKIP_VERIFY. */
export function parseGoBool(value: string, name: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw vaultFailure('invalid-setting', `${name}=${JSON.stringify(value)} is not a boolean`, `use ${name}=true or ${name}=false`);
}

async function readPem(path: string, what: string, source: string, home: string): Promise<Buffer> {
  try {
    return await readFile(expandHome(path, home));
  } catch (error) {
    throw vaultFailure('io', `cannot read the ${what} ${tildePath(expandHome(path, home), home)} (from ${source}): ${fsReason(error)}`);
  }
}

async function readCaDir(path: string, source: string, home: string): Promise<Buffer[]> {
  const dir = expandHome(path, home);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    throw vaultFailure('io', `cannot read the CA directory ${tildePath(dir, home)} (from ${source}): ${fsReason(error)}`);
  }
  const pems: (Buffer | undefined)[] = await Promise.all(names.map((n) => readFile(join(dir, n)).catch(() => undefined)));
  const certs = pems.filter((p): p is Buffer => p !== undefined && p.includes('-----BEGIN CERTIFICATE-----'));
  if (certs.length === 0) throw vaultFailure('invalid-setting', `the CA directory ${tildePath(dir, home)} (from ${source}) holds no PEM certificate`);
  return certs;
}

/** The environment variable if set, else the setting, with the name of whichever was used. */
function pick(env: Env, variable: string, setting: string | undefined, settingName: string): { value: string; source: string } | undefined {
  const fromEnv = env[variable];
  if (fromEnv) return { value: fromEnv, source: variable };
  if (setting !== undefined) return { value: setting, source: `tokenStorage.vault.${settingName}` };
  return undefined;
}

/** `home` is what `~` in a path means: the account's home (default: HOME). */
export async function resolveConnection(settings: VaultSettings = {}, env: Env, home: string = env.HOME || homedir()): Promise<VaultConnection> {
  const address = (pick(env, 'VAULT_ADDR', settings.address, 'address')?.value ?? DEFAULT_VAULT_ADDR).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/i.test(address)) throw vaultFailure('invalid-setting', `VAULT_ADDR=${JSON.stringify(address)} is not an http:// or https:// URL`);
  const namespace = pick(env, 'VAULT_NAMESPACE', settings.namespace, 'namespace')?.value.replace(/^\/+|\/+$/g, '');

  const tls: TlsMaterial = { verify: settings.tlsVerify ?? true, ...(settings.tlsVerify === false ? { verifyOffBy: 'tokenStorage.vault.tlsVerify' } : {}) };
  if (env.VAULT_SKIP_VERIFY) {
    tls.verify = !parseGoBool(env.VAULT_SKIP_VERIFY, 'VAULT_SKIP_VERIFY');
    if (tls.verify) delete tls.verifyOffBy;
    else tls.verifyOffBy = 'VAULT_SKIP_VERIFY';
  }
  const caCert = pick(env, 'VAULT_CACERT', settings.caCert, 'caCert');
  const caPath = pick(env, 'VAULT_CAPATH', settings.caPath, 'caPath');
  // As in Vault's CLI, a CA file takes precedence over a CA directory.
  if (caCert) tls.ca = [await readPem(caCert.value, 'CA certificate', caCert.source, home)];
  else if (caPath) tls.ca = await readCaDir(caPath.value, caPath.source, home);
  const clientCert = pick(env, 'VAULT_CLIENT_CERT', settings.clientCert, 'clientCert');
  const clientKey = pick(env, 'VAULT_CLIENT_KEY', settings.clientKey, 'clientKey');
  if ((clientCert === undefined) !== (clientKey === undefined))
    throw vaultFailure(
      'invalid-setting',
      'a TLS client certificate needs both a certificate and a key',
      'set both VAULT_CLIENT_CERT and VAULT_CLIENT_KEY (or clientCert and clientKey)',
    );
  if (clientCert && clientKey) {
    tls.cert = await readPem(clientCert.value, 'client certificate', clientCert.source, home);
    tls.key = await readPem(clientKey.value, 'client key', clientKey.source, home);
  }
  return {
    address,
    ...(namespace ? { namespace } : {}),
    mount: settings.mount ?? 'secret',
    pathPrefix: settings.pathPrefix ?? 'mcp-cli',
    kvVersion: settings.kvVersion ?? 'auto',
    tls,
  };
}

/** VAULT_TOKEN, else the file Vault's CLI writes on `vault login` (~/.vault-token, `~` being `home`). */
export async function resolveToken(env: Env, home: string = env.HOME || homedir()): Promise<VaultToken | undefined> {
  const fromEnv = env.VAULT_TOKEN?.trim();
  if (fromEnv) return { value: fromEnv, source: 'VAULT_TOKEN' };
  try {
    const fromFile = (await readFile(join(home, '.vault-token'), 'utf8')).trim();
    return fromFile ? { value: fromFile, source: '~/.vault-token' } : undefined;
  } catch {
    return undefined;
  }
}
