import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, type BenchHarness } from '../scripts/bench-harness.js';

/** Help is read often and must come at once: only the command group asked for is built (src/cli/groups/). */
export default async function help(h: BenchHarness): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-cli-bench-'));
  const hello = join(dir, 'hello.mjs');
  await writeFile(hello, "console.log('hello');\n");
  try {
    await h.compare({
      label: 'mcp-cli token --help vs a one-line ES module',
      goal: 1.35,
      runs: 30,
      baseline: { name: 'node hello.mjs (one line: console.log)', run: () => h.exec(process.execPath, [hello]) },
      subject: { name: 'mcp-cli token --help', run: () => h.exec(process.execPath, [CLI, 'token', '--help']) },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
