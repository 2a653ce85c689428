import { join } from 'node:path';
import { stateDir } from '../../paths.js';
import { RESERVED_NAMESPACE } from '../../tokens/reserved.js';
import type { Availability, BackendDescriptor, BackendEnv } from '../backend.js';
import { StoreError } from '../errors.js';
import type { SecretStore } from '../store.js';
import type { SecretServiceSession } from './secret-service.js';

/** Items are stored under this service (or `MCP_CLI_KEYCHAIN_SERVICE`); accounts are `<namespace>:<name>`. */
export const KEYCHAIN_SERVICE = 'mcp-cli';
export const SERVICE_ENV = 'MCP_CLI_KEYCHAIN_SERVICE';
export const TIMEOUT_ENV = 'MCP_CLI_KEYCHAIN_TIMEOUT_MS';
const DEFAULT_TIMEOUT_MS = 3000;

type KeychainName = 'keychain' | 'credential-manager' | 'secret-service';

const KEYCHAINS: Record<KeychainName, { platform: NodeJS.Platform; label: string; os: string }> = {
  keychain: { platform: 'darwin', label: 'macOS Keychain', os: 'macOS' },
  'credential-manager': { platform: 'win32', label: 'Windows Credential Manager', os: 'Windows' },
  'secret-service': { platform: 'linux', label: 'Secret Service', os: 'Linux' },
};

interface Probe extends Availability {
  session?: SecretServiceSession;
}

export function keychainTimeoutMs(be: BackendEnv): number {
  const raw = be.env[TIMEOUT_ENV];
  const value = raw === undefined || raw === '' ? DEFAULT_TIMEOUT_MS : Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new StoreError('invalid-setting', `${TIMEOUT_ENV} must be a positive number of milliseconds, not ${JSON.stringify(raw)}`);
  return value;
}

/** The service the items are stored under: `MCP_CLI_KEYCHAIN_SERVICE` keeps a second set apart (a test run, say). */
export function keychainService(be: BackendEnv): string {
  const raw = be.env[SERVICE_ENV];
  if (raw === undefined || raw === '') return KEYCHAIN_SERVICE;
  if (!/^[\w.@+-]{1,64}$/.test(raw))
    throw new StoreError('invalid-setting', `${SERVICE_ENV} must be 1 to 64 letters, digits and . _ - @ +, not ${JSON.stringify(raw)}`);
  return raw;
}

// One probe per process and situation: `token backends` and the selection ask the same question.
const probes = new Map<string, Promise<Probe>>();

function probeOnce(name: KeychainName, be: BackendEnv): Promise<Probe> {
  const cacheKey = [name, be.platform, be.env.DBUS_SESSION_BUS_ADDRESS ?? '', be.env[TIMEOUT_ENV] ?? '', be.env[SERVICE_ENV] ?? ''].join('\0');
  let probe = probes.get(cacheKey);
  if (!probe) {
    probe = runProbe(name, be);
    probes.set(cacheKey, probe);
  }
  return probe;
}

async function runProbe(name: KeychainName, be: BackendEnv): Promise<Probe> {
  const { platform, label, os } = KEYCHAINS[name];
  if (be.platform !== platform) return { available: false, detail: `${os} only (this is ${be.platform})` };
  const timeoutMs = keychainTimeoutMs(be);
  const service = keychainService(be);
  if (platform === 'linux') {
    const { probeSecretService } = await import('./secret-service.js');
    const status = await probeSecretService(be.env, timeoutMs);
    if (!status.available) return { available: false, detail: status.detail, hint: status.hint, ...(status.present ? { present: status.present } : {}) };
    return { available: true, detail: `${status.detail}, service '${service}'`, session: status.session };
  }
  // macOS and Windows: a read of the index item shows whether the keychain answers.
  try {
    const { nativeItems } = await import('./items.js');
    const { INDEX_ACCOUNT } = await import('./store.js');
    await nativeItems({ backend: name, service, platform, timeoutMs, label }).get(INDEX_ACCOUNT);
    return { available: true, detail: `${label}, service '${service}'` };
  } catch (error) {
    return { available: false, detail: (error as Error).message, hint: `unlock the ${label} and allow this program to use it`, present: 'unusable' };
  }
}

function keychainBackend(name: KeychainName): BackendDescriptor {
  const { platform, label } = KEYCHAINS[name];
  return {
    name,
    autoRole: (be) => (be.platform === platform ? 'if-available' : 'skip'),
    async probe(be) {
      const { available, detail, hint, present } = await probeOnce(name, be);
      return { available, detail, ...(hint ? { hint } : {}), ...(present ? { present } : {}) };
    },
    async countTokens(be) {
      const session = (await probeOnce(name, be)).session;
      if (!session) return undefined;
      const { isTokenAccount } = await import('./store.js');
      return [...(await session.accounts(keychainService(be)))].filter((a) => isTokenAccount(a) && !a.startsWith(`${RESERVED_NAMESPACE}:`)).length;
    },
    async open(be): Promise<SecretStore> {
      const probe = await probeOnce(name, be);
      if (!probe.available)
        throw new StoreError(probe.present === 'locked' ? 'locked' : 'unavailable', `the ${label} is unavailable: ${probe.detail}`, {
          backend: name,
          remedy: probe.hint,
        });
      // Every command that opens the store reads an item (the index, at least).
      probe.session?.startKeyExchange();
      const [{ nativeItems, sessionItems, ChunkedItems }, { KeychainStore }] = await Promise.all([import('./items.js'), import('./store.js')]);
      const service = keychainService(be);
      const options = { backend: name, service, platform, timeoutMs: keychainTimeoutMs(be), label };
      const session = probe.session;
      return new KeychainStore({
        backend: name,
        location: `${label} (service '${service}')`,
        items: new ChunkedItems(session ? sessionItems(session, options) : nativeItems(options)),
        indexLockPath: join(stateDir(be.env), 'keychain-index.lock'),
        ...(session ? { listAccounts: () => session.accounts(service) } : {}),
      });
    },
  };
}

export const macosKeychainBackend = keychainBackend('keychain');
export const windowsCredentialManagerBackend = keychainBackend('credential-manager');
export const secretServiceBackend = keychainBackend('secret-service');
