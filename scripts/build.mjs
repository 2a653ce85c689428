// Bundles the CLI (code-split so each command loads only what it needs) and the library.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { coreChunk } from './core-chunk.mjs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  define: { MCP_CLI_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
  legalComments: 'none',
};

// The installed command's first line. Node takes an `--env-file` argument for its own wherever it
// stands, unless `--` comes before the script: `mcp-cli exec --env-file .env` would otherwise have
// Node load the file (NODE_OPTIONS and all) into mcp-cli. `env -S` splits the line into words
// (coreutils, macOS and the BSDs); npm's cmd-shim copies the words into the Windows .cmd and .ps1
// shims, before the script. The marker option (src/cli/node-env-file.ts) shows in
// process.execArgv where the `--` does not.
const shebang = '#!/usr/bin/env -S node --disable-warning=mcp-cli --';

// Bundled CommonJS dependencies call require() for Node built-ins.
const requireShim = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

// commander requires child_process at load time, only for executable subcommands (unused here);
// loading that built-in costs several milliseconds on every run, so it is required on first use.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/') ? { path: 'lazy-child-process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

// What every token command loads: one chunk instead of many (see core-chunk.mjs).
const core = await coreChunk({
  entry: 'src/cli/main.ts',
  seeds: [
    'src/cli/report-error.ts',
    'src/cli/core-entry.ts',
    'src/cli/run-direct-get.ts',
    'src/services/storage.ts',
    'src/services/factory.ts',
    'src/context.ts',
    'src/commands/shared/messages.ts',
    'src/commands/shared/present.ts',
    'src/commands/token/namespace-option.ts',
    'src/io/table.ts',
    'src/io/read-stdin.ts',
    'src/tokens/duration.ts',
    'src/stores/keychain/secret-service.ts',
    'src/stores/keychain/items.ts',
    'src/stores/keychain/store.ts',
    'src/stores/encrypted/store.ts',
    'src/stores/encrypted/passphrase.ts',
    'src/agent/session.ts',
  ],
  // The command table: built for `--help` and completion without the core.
  light: ['src/cli/program.ts', ...readdirSync('src/cli/groups').map((f) => `src/cli/groups/${f}`)],
});

await Promise.all([
  // The CLI carries its pure-JS dependencies inside; native addons stay external.
  build({
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    external: ['@napi-rs/keyring'],
    // jsonc-parser's `main` is a UMD build whose require() calls esbuild cannot follow; its ES module build bundles.
    alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
    plugins: [core, lazyChildProcess],
    banner: { js: `${shebang}\n${requireShim}` },
  }),
  build({ ...common, entryPoints: { index: 'src/index.ts' }, outdir: 'dist/lib', splitting: true, chunkNames: 'chunks/[name]-[hash]', packages: 'external' }),
]);

// The library's declarations, by TypeScript 7 (native: 1.3 s where 5.9 took 6.6 s): tsc keeps
// them, and what it learnt, in a cache of its own, so a rebuild emits only what changed; only
// those of sources, and folders, that still exist are copied.
const TYPES = 'node_modules/.cache/mcp-cli-build/types';
const sourceOf = (path) => `src${path.slice(TYPES.length)}`.replace(/\.d\.ts$/, '.ts');
execFileSync(
  process.execPath,
  ['node_modules/typescript-7/bin/tsc', '-p', 'tsconfig.lib.json', '--outDir', TYPES, '--incremental', '--tsBuildInfoFile', `${TYPES}/lib.tsbuildinfo`],
  { stdio: 'inherit' },
);
cpSync(TYPES, 'dist/lib', {
  recursive: true,
  filter: (path) => !path.endsWith('.tsbuildinfo') && existsSync(sourceOf(path)),
});
