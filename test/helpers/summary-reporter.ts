import { existsSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with one plain line, `Tests: N passed, N failed, N skipped`, that CI reads. Under
 * `npm test` (scripts/test.mjs) the type check and the linters run beside the tests: their report
 * (MCP_CLI_CHECKS_REPORT, written by MCP_CLI_CHECKS_RUNNER) is awaited and printed first, so that the
 * summary stays the last line.
 */
export default class SummaryReporter implements Reporter {
  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
    }
    const checksReport = process.env.MCP_CLI_CHECKS_REPORT;
    const runner = Number(process.env.MCP_CLI_CHECKS_RUNNER);
    if (checksReport !== undefined) process.stdout.write(`\n${await takeChecksReport(checksReport, runner)}`);
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

/** The checks' report, once `runner` (the process that started this one and the checks) wrote it. */
async function takeChecksReport(path: string, runner: number): Promise<string> {
  while (!existsSync(path)) {
    if (process.ppid !== runner) return 'The checks were not reported: npm test ended before they did.\n';
    await sleep(200);
  }
  const { text } = JSON.parse(readFileSync(path, 'utf8')) as { text: string };
  rmSync(path, { force: true });
  return text;
}
