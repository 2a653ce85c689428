import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, dataDirSource, displayPath, expandHome, ownTokenFile, samePath, tildePath } from '../../paths.js';
import { homeOf, SET_BY_CLIENT, type BackendDescriptor, type BackendEnv } from '../backend.js';
import { StoreError } from '../errors.js';

/**
 * `tokenStorage.encrypted.path` (`~` being the account's home), else `<data dir>/tokens.enc`. In
 * `mcp-cli run`, a data directory that XDG_DATA_HOME or HOME moved away from the account's own is
 * refused: a token file planted there would answer the user's references with values of its maker's
 * choosing, and take the tokens of the user's next login.
 */
export function encryptedFilePath(be: BackendEnv): string {
  const configured = be.settings.encrypted?.path;
  if (configured) return expandHome(configured, homeOf(be));
  const path = join(dataDir(be.env), 'tokens.enc');
  if (be.clientEnvironment && be.home !== undefined && !samePath(path, ownTokenFile(be.home))) {
    const own = ownTokenFile(be.home);
    throw new StoreError(
      'invalid-setting',
      `${dataDirSource(be.env)} moved the token file to ${JSON.stringify(path).slice(1, -1)}, away from your own (${tildePath(own, be.home)}): ${SET_BY_CLIENT}, so a token file elsewhere is used only when a config you trust names it`,
      { backend: 'encrypted', remedy: `if that file is yours, set "tokenStorage": {"encrypted": {"path": ${JSON.stringify(path)}}} in your config` },
    );
  }
  return path;
}

export const encryptedBackend: BackendDescriptor = {
  name: 'encrypted',
  autoRole: () => 'fallback',
  async probe(be) {
    return { available: true, detail: `file ${displayPath(encryptedFilePath(be), be.env)} (AES-256-GCM, scrypt passphrase)` };
  },
  leftovers(be) {
    try {
      const path = encryptedFilePath(be);
      return lstatSync(path, { throwIfNoEntry: false }) ? displayPath(path, be.env) : undefined;
    } catch {
      return undefined; // not reachable, or not one to use: nothing to point at
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
