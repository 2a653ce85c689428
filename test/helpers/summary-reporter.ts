import { existsSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with one plain line, `Tests: N passed, N failed, N skipped`, that CI reads. Under
 * `npm test` (scripts/test.mjs) the type check and the linters run beside the tests: their report
 * (MCP_CLI_CHECKS_REPORT) is awaited and printed first, so that the summary stays the last line.
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
    if (checksReport !== undefined) process.stdout.write(`\n${await takeChecksReport(checksReport)}`);
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

async function takeChecksReport(path: string): Promise<string> {
  while (!existsSync(path)) await sleep(200);
  const { text } = JSON.parse(readFileSync(path, 'utf8')) as { text: string };
  rmSync(path, { force: true });
  return text;
}
