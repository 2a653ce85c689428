// `npm run bench [filter]`: every bench/*.ts file measures subjects against baselines
// in this one process of measurement, interleaved; the ratios of medians are reported.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHarness, ROOT, type BenchHarness, type Result } from './bench-harness.js';

const results: Result[] = [];
const harness = createHarness(results);
const only = process.argv.slice(2);
const dir = join(ROOT, 'bench');
const files = (await readdir(dir))
  .filter((f) => f.endsWith('.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
for (const file of files) {
  console.log(`\n# ${file}`);
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: (h: BenchHarness) => Promise<void> };
  await mod.default(harness);
}
await mkdir(join(ROOT, '.bench'), { recursive: true });
await writeFile(join(ROOT, '.bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log('\nSummary (ratio of medians, subject / baseline):');
for (const r of results) {
  const figure = r.unit ? `${r.subjectMs.toFixed(1)} ${r.unit}, limit ${r.baselineMs} ${r.unit}` : `${r.ratio.toFixed(2)}x  goal <= ${r.goal}x`;
  console.log(`  ${figure}  ${r.met ? 'met' : 'MISSED'}  ${r.label}`);
}
