import { lstatSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { dataDir, displayPath } from '../../paths.js';
import type { BackendDescriptor, BackendEnv } from '../backend.js';

export function encryptedFilePath(be: BackendEnv): string {
  const configured = be.settings.encrypted?.path;
  if (configured) return resolve(configured.replace(/^~(?=\/|$)/, be.env.HOME ?? '~'));
  return join(dataDir(be.env), 'tokens.enc');
}

export const encryptedBackend: BackendDescriptor = {
  name: 'encrypted',
  autoRole: () => 'fallback',
  async probe(be) {
    return { available: true, detail: `file ${displayPath(encryptedFilePath(be), be.env)} (AES-256-GCM, scrypt passphrase)` };
  },
  leftovers(be) {
    const path = encryptedFilePath(be);
    try {
      return lstatSync(path, { throwIfNoEntry: false }) ? displayPath(path, be.env) : undefined;
    } catch {
      return undefined; // not reachable: nothing to point at
    }
  },
  async open(be) {
    const [{ EncryptedFileStore }, { passphraseSource }, { agentKeyCache }, { startedByMcpCli }] = await Promise.all([
      import('./store.js'),
      import('./passphrase.js'),
      import('../../agent/session.js'),
      import('../../agent/started-by.js'),
    ]);
    const path = encryptedFilePath(be);
    // Unlock sessions need unix sockets; on Windows the passphrase is asked as before.
    const cache =
      be.platform === 'win32'
        ? undefined
        : agentKeyCache(
            be.env,
            (text) => be.stderr.write(`! ${text}\n`),
            () => startedByMcpCli(be.env, be.platform, process.ppid),
          );
    return new EncryptedFileStore(path, passphraseSource(be), displayPath(path, be.env), cache);
  },
};
