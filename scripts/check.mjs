// The steps `npm test` runs before the tests: the build, the type check and the linters, side by
// side (each is mostly one core's work), each one's output printed whole when it ends. Exits 1 if
// any step failed, naming them.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The checkers keep what they learnt about unchanged files here: a second run checks only what changed.
const CACHE = 'node_modules/.cache/mcp-cli-check';

const STEPS = [
  ['build', 'scripts/build.mjs'],
  ['typecheck', 'node_modules/typescript-7/bin/tsc', '--noEmit', '--incremental', '--tsBuildInfoFile', `${CACHE}/tsc.tsbuildinfo`],
  ['eslint', 'node_modules/eslint/bin/eslint.js', '--cache', '--cache-strategy', 'content', '--cache-location', `${CACHE}/eslint`, '.'],
  ['prettier', 'node_modules/prettier/bin/prettier.cjs', '--check', '--cache', '--cache-location', `${CACHE}/prettier`, '.'],
];

function runStep([name, script, ...args]) {
  const command = [script, ...args].join(' ');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (error) => resolve({ name, command, ok: false, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ name, command, ok: code === 0, output: signal ? `${output}ended by ${signal}\n` : output }));
  });
}

const results = await Promise.all(STEPS.map(runStep));
for (const { name, command, ok, output } of results) {
  process.stdout.write(`> ${command}${ok ? '' : `  (${name} failed)`}\n${output}`);
  if (output !== '' && !output.endsWith('\n')) process.stdout.write('\n');
}
const failed = results.filter((r) => !r.ok).map((r) => r.name);
if (failed.length > 0) {
  process.stderr.write(`check failed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
