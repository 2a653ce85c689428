import type { VaultSettings } from '../../config/vault-settings.js';
import { expandHome, type Env } from '../../paths.js';
import { SET_BY_CLIENT } from '../backend.js';
import { DEFAULT_VAULT_ADDR, parseGoBool, vaultFailure } from './connection.js';

/** An address as Vault's clients compare it: scheme and host in lower case, no trailing slash. */
function sameAddress(a: string, b: string): boolean {
  const norm = (address: string) => {
    try {
      return new URL(address).href.replace(/\/+$/, '');
    } catch {
      return address.replace(/\/+$/, '');
    }
  };
  return norm(a) === norm(b);
}

function refused(what: string, setting: string, value: string | boolean): Error {
  return vaultFailure(
    'invalid-setting',
    `${what}, which no config you trust ${setting === 'tlsVerify' ? 'does' : 'names'} (tokenStorage.vault.${setting}): ${SET_BY_CLIENT}, so where Vault is and whom TLS trusts to be Vault come only from a config you trust`,
    `if it is yours, set "tokenStorage": {"vault": {"${setting}": ${JSON.stringify(value)}}} in your config`,
  );
}

/**
 * In `mcp-cli run`, the variables that decide which Vault gets the Vault token (and every token a login
 * writes), and whom TLS trusts to be that Vault, count only where they agree with the settings of a
 * config the user trusts: VAULT_ADDR, VAULT_CACERT, VAULT_CAPATH, and VAULT_SKIP_VERIFY turning
 * verification off. A command typed in a shell follows them as Vault's own CLI does.
 */
export function refuseMovedByClient(settings: VaultSettings, env: Env, home: string): void {
  const address = env.VAULT_ADDR;
  if (address && !sameAddress(address, settings.address ?? DEFAULT_VAULT_ADDR))
    throw refused(`VAULT_ADDR names the Vault at ${JSON.stringify(address).slice(1, -1)}`, 'address', address.replace(/\/+$/, ''));
  if (env.VAULT_SKIP_VERIFY && parseGoBool(env.VAULT_SKIP_VERIFY, 'VAULT_SKIP_VERIFY') && settings.tlsVerify !== false)
    throw refused('VAULT_SKIP_VERIFY turns off TLS verification of Vault', 'tlsVerify', false);
  for (const [variable, setting, what] of [
    ['VAULT_CACERT', 'caCert', 'CA'],
    ['VAULT_CAPATH', 'caPath', 'CAs'],
  ] as const) {
    const value = env[variable];
    const configured = settings[setting];
    if (value && (configured === undefined || expandHome(value, home) !== expandHome(configured, home)))
      throw refused(`${variable} names ${JSON.stringify(value).slice(1, -1)} as the ${what} of Vault`, setting, expandHome(value, home));
  }
}
