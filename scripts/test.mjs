// `npm test [-- vitest arguments]`: the bundles, then every test, with the library's declarations,
// the type check and the linters running beside them. The tests need only the bundles. The others
// run at the lowest CPU priority, so that they slow the tests as little as they can. On two cores, a
// re-run no longer waits the ~10 s the checks took before the tests; from a fresh clone, where the
// checks need about a minute of CPU, what the overlap saves is within the noise of a run.
// Passed checks are printed at the end, before the tests' summary line (the summary reporter,
// test/helpers/summary-reporter.ts, waits for them). A failed check stops the tests.
// Exits 1 if the bundles, a check or a test failed; the tests do not start if the bundles failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { setPriority, constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The checkers keep what they learnt about unchanged files here: a second run checks only what changed.
const CACHE = 'node_modules/.cache/mcp-cli-check';
// Where the checks' report waits for the summary reporter (MCP_CLI_CHECKS_REPORT; MCP_CLI_CHECKS_RUNNER names this process).
const REPORT = join(ROOT, CACHE, 'report.json');

const BUNDLES = ['bundles', 'scripts/build.mjs', '--bundles'];
const DECLARATIONS = ['declarations', 'scripts/build.mjs', '--declarations'];
const CHECKS = [
  ['typecheck', 'node_modules/typescript/bin/tsc', '--noEmit', '--incremental', '--tsBuildInfoFile', `${CACHE}/tsc.tsbuildinfo`],
  ['eslint', 'node_modules/eslint/bin/eslint.js', '--cache', '--cache-strategy', 'content', '--cache-location', `${CACHE}/eslint`, '.'],
  ['prettier', 'node_modules/prettier/bin/prettier.cjs', '--check', '--cache', '--cache-location', `${CACHE}/prettier`, '.'],
];

// Steps started in sessions of their own: ended with this process when it is stopped.
const detached = new Set();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    for (const child of detached) child.kill();
    process.kill(process.pid, signal);
  });
}

/**
 * The lowest priority. Where Linux's scheduler groups processes by session (autogroup, on by
 * default in many kernels), a nice value ranks a process only within its session, and the CLI
 * processes the tests start run in sessions of their own: so the step gets a session of its own
 * (detached), and that session the lowest priority.
 */
function lowerPriority(pid) {
  setPriority(pid, constants.priority.PRIORITY_LOW);
  try {
    writeFileSync(`/proc/${pid}/autogroup`, '19');
  } catch {
    // No autogroup here: the nice value alone ranks the step.
  }
}

/** Runs one step to its end with its output kept; `lowPriority` lets every other process go first. */
function runStep([name, script, ...args], { lowPriority = false } = {}) {
  const command = [script, ...args].join(' ');
  return new Promise((resolve) => {
    // A session of its own only on Linux: on Windows, `detached` would open a console window.
    const ownSession = lowPriority && process.platform === 'linux';
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: ownSession });
    if (lowPriority && child.pid !== undefined) {
      lowerPriority(child.pid);
      if (ownSession) {
        detached.add(child);
        child.on('close', () => detached.delete(child));
      }
    }
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (error) => resolve({ name, command, ok: false, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ name, command, ok: code === 0, output: signal ? `${output}ended by ${signal}\n` : output }));
  });
}

/** The steps' outputs, each whole under its command line, and which of them failed. */
function describe(results) {
  let text = '';
  for (const { name, command, ok, output } of results) {
    text += `> ${command}${ok ? '' : `  (${name} failed)`}\n${output}`;
    if (output !== '' && !output.endsWith('\n')) text += '\n';
  }
  const failed = results.filter((r) => !r.ok).map((r) => r.name);
  if (failed.length > 0) text += `check failed: ${failed.join(', ')}\n`;
  return { text, failed };
}

/** The tests, running: `exited` resolves with vitest's exit code; `stop` ends them. */
function startVitest(args) {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, MCP_CLI_CHECKS_REPORT: REPORT, MCP_CLI_CHECKS_RUNNER: String(process.pid) },
  });
  const exited = new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('close', (code) => resolve(code ?? 1));
  });
  return { exited, stop: () => child.kill('SIGTERM') };
}

mkdirSync(join(ROOT, CACHE), { recursive: true });
rmSync(REPORT, { force: true });
const started = CHECKS.map((step) => runStep(step, { lowPriority: true }));
const bundles = describe([await runStep(BUNDLES)]);
process.stdout.write(bundles.text);
// The declarations go into the dist/lib the bundles made anew.
if (bundles.failed.length === 0) started.unshift(runStep(DECLARATIONS, { lowPriority: true }));
const checks = Promise.all(started).then(describe);
let testsExit = 1;
let handedOver = Promise.resolve(false);
if (bundles.failed.length === 0) {
  const tests = startVitest(process.argv.slice(2));
  handedOver = checks.then(async (report) => {
    // A failed check fails the run: the tests stop there, as they would not have started had the
    // checks come first, and the report is printed below. Passed checks go to the summary reporter.
    if (report.failed.length > 0) {
      tests.stop();
      return false;
    }
    await writeFile(`${REPORT}.tmp`, JSON.stringify(report));
    await rename(`${REPORT}.tmp`, REPORT);
    return true;
  });
  testsExit = await tests.exited;
}
const report = await checks;
// The summary reporter removes the report it printed; vitest may also have ended before it did.
if (!(await handedOver) || existsSync(REPORT)) process.stdout.write(report.text);
rmSync(REPORT, { force: true });
if (testsExit !== 0 || bundles.failed.length > 0 || report.failed.length > 0) process.exitCode = 1;
