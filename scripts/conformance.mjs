// Runs the client scenarios of the MCP conformance suite that a spec revision requires against mcp-cli
// (through test/conformance/adapter.mjs), one at a time, and prints a pass/fail table. A scenario passes
// when every check passes without a warning and the client did what the scenario asks: list and call
// the tools, or refuse where the scenario expects a refusal (the suite's own verdict).
//
//   npm run conformance [-- --revision 2025-11-25] [--scenario auth/basic-cimd] [--extensions] [--unscored] [--extra] [--jobs 2] [--keep] [--cli PATH]
//
// It exits 1 when a required scenario fails. --extensions adds the client scenarios of the sets'
// extensions, judged against test/conformance/expected-failures.yml (the suite's baseline format, which
// may list extension scenarios only): one not listed must pass, and one listed must still fail (else
// the entry is stale and must go). .ci/run runs it so. --unscored adds everything the sets run without
// scoring (extensions, and scenarios added after a release), for information; --extra adds OAuth scenarios outside
// both sets (MCP 2025-03-26 servers, and the 2026-07-28 authorization server migration at the 2025-11-25
// wire, where it runs without the 2026 era); --cli measures another build of mcp-cli (dist/cli.js).
//
// The suite needs Node >= 22 (fs.globSync). Without one on PATH, the Node 24 binary of the npm package
// node-<platform>-<arch> is installed once under node_modules/.cache (scripts/node-binary.mjs). mcp-cli
// itself runs on this script's Node.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { major, nodeBinary } from './node-binary.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SUITE = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const ADAPTER = join(ROOT, 'test', 'conformance', 'adapter.mjs');
const REVISIONS = ['2025-11-25', '2026-07-28'];
/** How long one scenario may take: far above what one needs (10-50 s), so that only a hang times out on a busy machine. */
const SCENARIO_TIMEOUT_MS = 180_000;
const EXPECTED_FAILURES = join(ROOT, 'test', 'conformance', 'expected-failures.yml');
/** OAuth scenarios outside both requirement sets, and the wire each runs at. */
const EXTRA = [
  ['2025-03-26', 'auth/2025-03-26-oauth-metadata-backcompat'],
  ['2025-03-26', 'auth/2025-03-26-oauth-endpoint-fallback'],
  ['2025-11-25', 'auth/authorization-server-migration'],
];

const { values: options } = parseArgs({
  options: {
    revision: { type: 'string', multiple: true },
    scenario: { type: 'string', multiple: true },
    extensions: { type: 'boolean', default: false },
    unscored: { type: 'boolean', default: false },
    extra: { type: 'boolean', default: false },
    cli: { type: 'string' },
    jobs: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});

/** A Node >= 22 for the suite: this one, the `node` on PATH, or the npm package's binary (installed once). */
function suiteNode() {
  if (major(process.versions.node) >= 22) return process.execPath;
  const onPath = spawnSync('node', ['-p', 'process.execPath + " " + process.versions.node'], { encoding: 'utf8' });
  if (onPath.status === 0) {
    const [path, version] = onPath.stdout.trim().split(' ');
    if (major(version) >= 22) return path;
  }
  process.stderr.write('The conformance suite needs Node >= 22.\n');
  return nodeBinary(24);
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(options.cli ? { MCP_CLI_CONFORMANCE_CLI: options.cli } : {}) };
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The client scenarios a revision requires (scored), those it runs without scoring (unscored), and of
 * those, the extensions'.
 */
async function clientScenarios(node, revision) {
  const { code, output } = await run(node, [SUITE, 'list', '--requirements', revision]);
  if (code !== 0) throw new Error(`conformance list --requirements ${revision} failed:\n${output}`);
  const scored = [];
  const unscored = [];
  const extensions = [];
  let section;
  let kind;
  for (const line of output.split('\n')) {
    if (/^Client scenarios/.test(line)) section = 'client';
    else if (/^\S/.test(line)) section = /never scored/.test(line) ? 'unscored' : undefined;
    const heading = /^ {2}([\w-]+) \(\d+\):$/.exec(line);
    if (heading) kind = heading[1];
    const scenario = /^\s+- (\S+)(?: \[(\w+)\])?$/.exec(line);
    if (!scenario) continue;
    if (section === 'client') scored.push(scenario[1]);
    if (section === 'unscored' && scenario[2] === 'client') {
      unscored.push(scenario[1]);
      if (kind === 'extension') extensions.push(scenario[1]);
    }
  }
  return { scored, unscored, extensions };
}

/** The client scenarios of test/conformance/expected-failures.yml (`client:` followed by `  - name` lines). */
async function expectedFailures() {
  const listed = new Set();
  let section;
  for (const raw of (await readFile(EXPECTED_FAILURES, 'utf8')).split('\n')) {
    const line = raw.replace(/#.*/, '').trimEnd();
    if (line === '') continue;
    const heading = /^(\w+):$/.exec(line);
    const entry = /^\s+-\s+(\S+)$/.exec(line);
    if (heading) section = heading[1];
    else if (entry && section === 'client') listed.add(entry[1]);
    else throw new Error(`${EXPECTED_FAILURES}: cannot read the line '${raw}' (expected 'client:' and '  - scenario' lines)`);
  }
  return listed;
}

/**
 * What a result means for the run: `ok` (passed, or an expected failure), `fail` (a required scenario,
 * or an extension not listed, failed), `stale` (listed, yet it passed), `info` (not judged).
 */
function verdictOf(result, expected) {
  if (result.scored) return result.passed ? 'ok' : 'fail';
  if (!result.extension || !options.extensions) return 'info';
  if (expected.has(result.scenario)) return result.passed ? 'stale' : 'ok';
  return result.passed ? 'ok' : 'fail';
}

async function checksIn(dir) {
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile() && entry.name === 'checks.json') return JSON.parse(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  return [];
}

/** Runs one scenario at a revision's wire; the suite's exit code is its verdict. */
async function runScenario(node, revision, scenario, resultsDir) {
  const out = join(resultsDir, revision, scenario.replaceAll('/', '_'));
  const started = Date.now();
  const { code, output } = await run(node, [
    SUITE,
    'client',
    '--command',
    `${process.execPath} ${ADAPTER}`,
    '--scenario',
    scenario,
    '--spec-version',
    revision,
    '--force',
    '--timeout',
    String(SCENARIO_TIMEOUT_MS),
    '-o',
    out,
  ]);
  const checks = existsSync(out) ? await checksIn(out) : [];
  const count = (status) => checks.filter((c) => c.status === status).length;
  const notPassed = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').map((c) => `${c.id} (${c.status.toLowerCase()})`);
  const clientFailure = /CLIENT (EXITED WITH ERROR \(code \d+\)|TIMED OUT)/.exec(output)?.[1];
  const why = [...new Set(notPassed)].slice(0, 3).join(', ') || (clientFailure ? `client ${clientFailure.toLowerCase()}` : '');
  return {
    revision,
    scenario,
    passed: code === 0,
    summary: `${count('SUCCESS')} ok, ${count('FAILURE')} failed, ${count('WARNING')} warnings`,
    why,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

/** Runs the jobs with at most `limit` at a time, keeping their order. */
async function pool(jobs, limit) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  return results;
}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run npm run build first');
  if (!existsSync(SUITE)) throw new Error('@modelcontextprotocol/conformance is not installed: run npm ci');
  const node = suiteNode();
  const revisions = options.revision ?? REVISIONS;
  const expected = await expectedFailures();
  const plan = [];
  const allExtensions = new Set();
  for (const revision of revisions) {
    const { scored, unscored, extensions } = await clientScenarios(node, revision);
    extensions.forEach((scenario) => allExtensions.add(scenario));
    const wanted = (list) => list.filter((s) => !options.scenario || options.scenario.includes(s));
    for (const scenario of wanted(scored)) plan.push({ revision, scenario, scored: true });
    const unscoredRun = options.unscored ? unscored : options.extensions ? extensions : [];
    for (const scenario of wanted(unscoredRun)) plan.push({ revision, scenario, scored: false, extension: extensions.includes(scenario) });
  }
  const notExtensions = [...expected].filter((scenario) => !allExtensions.has(scenario));
  if (notExtensions.length > 0)
    throw new Error(`${EXPECTED_FAILURES} may list extension scenarios only; not one: ${notExtensions.join(', ')} (a required scenario must pass)`);
  const resultsDir = await mkdtemp(join(tmpdir(), 'mcp-cli-conformance-results-'));
  if (options.extra)
    for (const [revision, scenario] of EXTRA)
      if (!options.scenario || options.scenario.includes(scenario)) plan.push({ revision, scenario, scored: false, extra: true });
  process.stderr.write(`Running ${plan.length} client scenario(s) against mcp-cli (results in ${resultsDir})\n`);
  const results = await pool(
    plan.map((item) => async () => {
      const result = {
        ...(await runScenario(node, item.revision, item.scenario, resultsDir)),
        scored: item.scored,
        extension: item.extension,
        extra: item.extra,
      };
      result.verdict = verdictOf(result, expected);
      process.stderr.write(`${resultLabel(result)}  ${item.revision}  ${item.scenario}  (${result.seconds} s)\n`);
      return result;
    }),
    Number(options.jobs),
  );

  const label = (r) => (r.scored ? r.scenario : `${r.scenario} (${r.extra ? 'in neither set' : r.extension ? 'extension' : 'not scored'})`);
  const rows = results.map((r) => [r.revision, label(r), resultLabel(r), r.summary, r.why]);
  const header = ['REVISION', 'SCENARIO', 'RESULT', 'CHECKS', 'NOT PASSED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  process.stdout.write(`\n${line(header)}\n${rows.map(line).join('\n')}\n\n`);
  for (const revision of revisions) {
    const scored = results.filter((r) => r.revision === revision && r.scored);
    if (scored.length) process.stdout.write(`${revision}: ${scored.filter((r) => r.passed).length}/${scored.length} required client scenarios pass\n`);
    const extensions = results.filter((r) => r.revision === revision && r.extension);
    if (extensions.length)
      process.stdout.write(`${revision}: ${extensions.filter((r) => r.passed).length}/${extensions.length} extension client scenarios pass\n`);
  }
  for (const r of results.filter((r) => r.verdict === 'stale'))
    process.stdout.write(`${r.scenario} passes at ${r.revision}: remove it from test/conformance/expected-failures.yml\n`);
  if (options.keep) process.stdout.write(`Results kept in ${resultsDir}\n`);
  else await rm(resultsDir, { recursive: true, force: true });
  return results.some((r) => r.verdict === 'fail' || r.verdict === 'stale') ? 1 : 0;
}

/** pass / FAIL, and for a listed extension: expected failure, or STALE (listed, yet it passed). */
function resultLabel(result) {
  if (result.verdict === 'stale') return 'STALE';
  if (!result.passed && result.extension && result.verdict === 'ok') return 'expected failure';
  return result.passed ? 'pass' : 'FAIL';
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    process.stderr.write(`conformance: ${error.message}\n`);
    process.exitCode = 2;
  },
);
