import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, createSandbox, writeOwnConfig, type Sandbox } from './cli.js';
import { SENTINEL } from './oauth-servers.js';

export const FOLLOW_REDIRECT = fileURLToPath(new URL('./follow-redirect.mjs', import.meta.url));

/** A sandbox using the encrypted backend (its file made with a cheap key derivation), with `BROWSER` set to the redirect-following helper. */
export async function createOAuthSandbox(servers: Record<string, object>, options: { inProcess?: boolean } = { inProcess: true }): Promise<Sandbox> {
  const sandbox = await createSandbox(
    {
      MCP_CLI_TOKEN_BACKEND: 'encrypted',
      MCP_CLI_ENCRYPTION_KEY: 'correct horse battery staple',
      BROWSER: `${process.execPath} ${FOLLOW_REDIRECT}`,
    },
    options,
  );
  await writeOwnConfig(sandbox.home, { mcpServers: servers });
  return sandbox;
}

/** A CLI process whose stderr can be awaited line by line (for paste-back and the real browser). */
export function startCli(sandbox: Sandbox, args: string[], env: Record<string, string | undefined> = {}) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI, ...args], {
    cwd: sandbox.home,
    env: { ...sandbox.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve(m: RegExpMatchArray): void }[] = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) {
      const m = stderr.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return {
    child,
    exited,
    waitForStderr(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
      const m = stderr.match(pattern);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`stderr never matched ${pattern}; got:\n${stderr}`)), timeoutMs);
        waiters.push({ pattern, resolve: (match) => (clearTimeout(timer), resolve(match)) });
      });
    },
  };
}

/** Every file under the sandbox that contains a token this test server issued. */
export function filesWithSentinel(dir: string): Promise<string[]> {
  return filesContaining(dir, [`${SENTINEL}-`]);
}

/** Every file under the sandbox that contains any of these texts. */
export async function filesContaining(dir: string, needles: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const content = await readFile(path);
    if (needles.some((needle) => content.includes(needle))) hits.push(path);
  }
  return hits;
}

/** The sandbox's encrypted store, opened through the store's own API, to look at or change what the CLI stored. */
export async function sandboxTokenStore(sandbox: Sandbox) {
  const { EncryptedFileStore } = await import('../../src/stores/encrypted/store.js');
  const { passphraseSource } = await import('../../src/stores/encrypted/passphrase.js');
  const { encryptedFilePath } = await import('../../src/stores/encrypted/descriptor.js');
  const be = {
    env: sandbox.env,
    platform: process.platform,
    settings: {},
    prompter: { secret: async () => '', confirm: async () => false, ask: async () => '' },
    canPrompt: false,
    stderr: process.stderr,
  };
  return new EncryptedFileStore(encryptedFilePath(be), passphraseSource(be));
}

export const AUTH_URL = /open this URL in a browser:\s+(\S+)/;

/**
 * Runs the CLI in the sandbox that `sandbox()` returns (set up in a beforeAll) and keeps
 * every output, so that a test can check at the end that none held a sentinel.
 */
export function recordingRunner(sandbox: () => Sandbox) {
  const outputs: string[] = [];
  const run = async (args: string[], options?: Parameters<Sandbox['run']>[1]) => {
    const result = await sandbox().run(args, options);
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  return { outputs, run };
}
