import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The quick suite (`npm run test:quick`, under a minute on two cores): unit tests, and commands run
 * in-process against the real encrypted file, the Vault server stand-in, MCP and OAuth servers on
 * 127.0.0.1; no browser, no keyring, no terminal, no CLI process, and none of the in-process files
 * that log in or make many stores (those take seconds each), in projects `quick` and `quick-mocks`.
 * `npm test` runs them and the rest (projects `full` and `alone`).
 */
export const QUICK = [
  'test/unit/**/*.test.ts',
  'test/config/**/*.test.ts',
  'test/vault/{settings,server,contract}.test.ts',
  'test/run/units.test.ts',
  'test/clients/{catalog,secrets,leftover,restore-record}.test.ts',
  'test/keychain/{chunks,dbus-wire,dbus-wire.property,dh-transfer}.test.ts',
  'test/oauth/{units,flows-units,discovery,refresh,rotate-audit,validate,preregistered}.test.ts',
  'test/mcp/{connect,expiry-notice,mtls,mtls-oauth}.test.ts',
  'test/e2e/{audit-integrity,validate}.test.ts',
];
/** Quick files that replace modules with mocks (vi.mock): in a shared worker the mocks would reach other files. */
const MOCKS_MODULES = ['test/unit/program.test.ts'];
/**
 * Full-suite files that change what the whole process sees: process.env, or the native keychain
 * library's session bus connection, which it keeps for the life of the process. They get a fresh
 * process each; the rest of the full suite shares worker processes (a process start and the
 * imports per file cost about a minute of CPU over the suite).
 */
const PROCESS_WIDE = ['test/keychain/{os-keychain,secret-service}.test.ts', 'test/stores/contract.test.ts'];

export default defineConfig({
  define: { MCP_CLI_VERSION: JSON.stringify(version) },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // Many tests spend seconds waiting (token lifetimes, polling intervals, the processes they
    // start): one worker more than there are cores keeps the cores busy meanwhile (two cores:
    // 88 % -> 98 % busy, 261 s -> 245 s).
    maxWorkers: availableParallelism() + 1,
    // Transformed modules are kept under node_modules/.experimental-vitest-cache between runs, keyed
    // by their content: a re-run transforms only what changed (quick suite: 4.9 s -> 1.2 s of transforms).
    experimental: { fsModuleCache: true },
    projects: [
      // Both quick projects: npm run test:quick. The first shares worker processes between files, as `full` does.
      { extends: true, test: { name: 'quick', isolate: false, include: QUICK, exclude: [...configDefaults.exclude, ...MOCKS_MODULES] } },
      { extends: true, test: { name: 'quick-mocks', include: MOCKS_MODULES } },
      {
        extends: true,
        test: {
          name: 'full',
          isolate: false,
          include: ['test/**/*.test.ts'],
          // PowerShell, which Debian does not package: npm run test:powershell (vitest.powershell.config.ts).
          exclude: [...configDefaults.exclude, ...QUICK, ...PROCESS_WIDE, 'test/powershell/**'],
        },
      },
      // Named to sort first: vitest orders projects by name, and these are slow; small files fill the end.
      { extends: true, test: { name: 'alone', include: PROCESS_WIDE } },
    ],
  },
});
