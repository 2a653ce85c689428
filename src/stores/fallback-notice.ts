import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { ensureDir } from '../fs/atomic-write.js';
import { stateDir, type Env } from '../paths.js';
import type { SecretStore } from './store.js';

/** Present once the notice has been shown: "first write" means first for this user, not for this process. */
export function fallbackNoticeMarker(env: Env): string {
  return join(stateDir(env), 'keychain-fallback-noticed');
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Makes the store's first write on a terminal say, on stderr, that tokens go to the encrypted
 * file because no OS keychain was reachable, and why. Piped output stays quiet.
 */
export function withFallbackNotice<S extends SecretStore>(store: S, why: string[], io: { env: Env; stderr: Writable }): S {
  if (!(io.stderr as { isTTY?: boolean }).isTTY) return store;
  const marker = fallbackNoticeMarker(io.env);
  const put = store.put.bind(store);
  store.put = async (token) => {
    const first = !(await exists(marker));
    if (first) {
      io.stderr.write(`Note: no OS keychain is reachable, so tokens are stored in the encrypted file ${store.location}.\n`);
      for (const reason of why) io.stderr.write(`  ${reason}\n`);
      io.stderr.write('  `mcp-cli token backends` shows the backends; this note is shown once.\n');
    }
    await put(token);
    if (first) {
      ensureDir(stateDir(io.env));
      await writeFile(marker, `${why.join('\n')}\n`, { mode: 0o600 });
    }
  };
  return store;
}
