// The OS keychain of the machine the tests run on, for the tests that need a real one: on Linux a
// throw-away gnome-keyring on a private session bus (never the developer's own keyring); on macOS
// the login Keychain and on Windows the Credential Manager, under a service name of its own
// (MCP_CLI_KEYCHAIN_SERVICE) so that no item of a real mcp-cli is read, changed or removed.
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { BackendDescriptor, BackendEnv } from '../../src/stores/backend.js';
import { macosKeychainBackend, secretServiceBackend, SERVICE_ENV, windowsCredentialManagerBackend } from '../../src/stores/keychain/descriptor.js';
import { startPrivateKeyring } from './keyring.js';

export interface OsKeychain {
  /** What the keychain is called in test names. */
  label: string;
  descriptor: BackendDescriptor;
  /** The variables that point mcp-cli at it (add them to a sandbox's env). */
  env: Record<string, string>;
  /** A BackendEnv for opening it directly, with `extra` variables (XDG_STATE_HOME, say). */
  backendEnv(extra?: Record<string, string>): BackendEnv;
  stop(): Promise<void>;
}

const noPrompter = { secret: async () => '', confirm: async () => false, ask: async () => '' };

export async function startOsKeychain(): Promise<OsKeychain> {
  const make = (label: string, descriptor: BackendDescriptor, env: Record<string, string>, stop: () => Promise<void>): OsKeychain => ({
    label,
    descriptor,
    env,
    backendEnv: (extra = {}) => ({
      env: { ...env, ...extra },
      platform: process.platform,
      settings: {},
      prompter: noPrompter,
      canPrompt: false,
      stderr: new PassThrough(),
    }),
    stop,
  });
  if (process.platform === 'linux') {
    const keyring = await startPrivateKeyring();
    return make('Secret Service (gnome-keyring)', secretServiceBackend, keyring.env, () => keyring.stop());
  }
  const env = { [SERVICE_ENV]: `mcp-cli-test-${randomBytes(4).toString('hex')}` };
  const descriptor = process.platform === 'darwin' ? macosKeychainBackend : process.platform === 'win32' ? windowsCredentialManagerBackend : undefined;
  if (!descriptor) throw new Error(`no OS keychain on ${process.platform}: the keychain tests run on Linux, macOS and Windows`);
  const label = process.platform === 'darwin' ? 'macOS Keychain' : 'Windows Credential Manager';
  const keychain = make(label, descriptor, env, async () => {
    // Whatever a failed test left behind under the test's own service.
    const store = await descriptor.open(keychain.backendEnv());
    await store.delete(await store.list());
  });
  return keychain;
}
