// esbuild puts code into one chunk per set of entry points that reach it, and every lazily
// imported command or backend module is an entry point. The modules that every token command
// needs (storage selection, the token manager, the audit log, the keychain client) came out as
// some twenty small chunks, and loading each one costs time on every run. This plugin makes
// every entry point reach the whole core alike, so that it lands in one chunk:
// - every src/ module outside the core imports it;
// - a dynamic import of a core module goes through a small facade that re-exports the module
//   and imports the core (the core itself never imports it, so there are no cycles).
// - a dynamic import of a core module from inside the core is a reference to the module, which
//   the core chunk already holds: no facade file to load.
// The light modules (the command table) are left out: `--help` and completion load them without
// the core, so they must import none of it statically, which is checked here.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const CORE_ID = 'mcp-cli:core';
const FACADE = 'mcp-cli:core-facade';

/**
 * The seeds and every src/ module they import statically (never through a dynamic import).
 * Being closed under static imports, the core never imports a module outside it: no cycles.
 */
async function staticClosure(seeds) {
  const { metafile } = await build({
    entryPoints: seeds,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: 'unused',
    logLevel: 'silent',
  });
  const core = new Set();
  const visit = (path) => {
    if (core.has(path) || !path.startsWith('src/')) return;
    core.add(path);
    for (const imported of metafile.inputs[path]?.imports ?? []) if (imported.kind === 'import-statement') visit(imported.path);
  };
  seeds.forEach(visit);
  return [...core].map((path) => resolve(path));
}

/** Rewrites `import('./x.js')` of a core member inside a core member into the module itself, already loaded. */
function inlineCoreImports(contents, path, members) {
  const namespaces = [];
  const body = contents.replace(/\bimport\((['"])(\.{1,2}\/[^'"]+)\1\)/g, (call, _quote, target) => {
    if (!members.has(resolve(dirname(path), target.replace(/\.js$/, '.ts')))) return call;
    namespaces.push(target);
    return `Promise.resolve(__core_${namespaces.length})`;
  });
  return namespaces.map((target, i) => `import * as __core_${i + 1} from ${JSON.stringify(target)};\n`).join('') + body;
}

/**
 * @param {{ seeds: string[], entry: string, light: string[] }} options the core's seed modules; the
 * entry point (it and what it imports statically are left alone, so that `--version` loads nothing
 * more); and the light modules, which must not import the core.
 */
export async function coreChunk({ seeds, entry, light }) {
  const core = await staticClosure(seeds);
  const members = new Set(core);
  const startup = new Set(await staticClosure([entry]));
  const lightModules = new Set(await staticClosure(light));
  const heavy = [...lightModules].filter((path) => members.has(path));
  if (heavy.length > 0) throw new Error(`light modules import the core statically (import it in the action instead): ${heavy.join(', ')}`);
  // The project's own modules only: a dependency's src/*.ts (some ship their sources) is not ours.
  const ownSources = new RegExp(`^${resolve('src').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/.*\\.ts$`);
  return {
    name: 'core-chunk',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${CORE_ID}$`) }, () => ({ path: 'core', namespace: CORE_ID }));
      b.onLoad({ filter: /.*/, namespace: CORE_ID }, () => ({
        contents: core.map((path) => `import ${JSON.stringify(path)};`).join('\n'),
        loader: 'js',
        resolveDir: process.cwd(),
      }));
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const target = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
        return members.has(target) ? { path: target, namespace: FACADE } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: FACADE }, (args) => ({
        contents: `export * from ${JSON.stringify(args.path)};\nimport '${CORE_ID}';\n`,
        loader: 'js',
        resolveDir: dirname(args.path),
      }));
      b.onLoad({ filter: ownSources }, async (args) => {
        const contents = await readFile(args.path, 'utf8');
        if (members.has(args.path)) return { contents: inlineCoreImports(contents, args.path, members), loader: 'ts' };
        if (startup.has(args.path) || lightModules.has(args.path)) return { contents, loader: 'ts' };
        return { contents: `${contents}\nimport '${CORE_ID}';\n`, loader: 'ts' };
      });
    },
  };
}
