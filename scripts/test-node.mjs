// Runs the tests under another Node.js major version: its binary from the npm registry's
// node-<platform>-<arch> package (installed once, scripts/node-binary.mjs), first on PATH, so that
// vitest, its workers and every process a test starts (process.execPath, `node`) run on it.
//
//   npm run test:node -- 24 [--quick] [vitest arguments...]
//
// --quick runs the quick suite (npm run test:quick); without it, every test (npm test's vitest run,
// after npm run build; the build does not depend on the Node that runs the tests).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from './node-binary.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const [wanted, ...rest] = process.argv.slice(2);

if (!/^\d+$/.test(wanted ?? '')) {
  process.stderr.write('usage: npm run test:node -- MAJOR [--quick] [vitest arguments...]   (e.g. 24 --quick)\n');
  process.exit(2);
}
if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
  process.stderr.write('test-node: dist/cli.js is missing: run npm run build first\n');
  process.exit(2);
}
const quick = rest.includes('--quick');
const vitestArgs = rest.filter((a) => a !== '--quick');
const node = nodeBinary(wanted);
process.stderr.write(`Running the ${quick ? 'quick suite' : 'tests'} on ${node}\n`);
const run = spawnSync(
  node,
  [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...(quick ? ['--project', 'quick', '--project', 'quick-mocks'] : []), ...vitestArgs],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` },
  },
);
process.exit(run.status ?? 1);
