// A stand-in browser for BROWSER=...: writes what it was started with (its process id, its
// arguments, its environment) to the JSON file BROWSER_RECORD, and does nothing else. With
// BROWSER_LINGER_MS it then stays alive that long, so that its command line can be read in
// /proc/PID/cmdline, as any account on the machine can read a running browser's.
import { renameSync, writeFileSync } from 'node:fs';

const record = process.env.BROWSER_RECORD;
if (!record) {
  process.stderr.write('recording-browser: BROWSER_RECORD is not set\n');
  process.exit(1);
}
writeFileSync(`${record}.tmp`, JSON.stringify({ pid: process.pid, argv: process.argv.slice(2), env: process.env }));
renameSync(`${record}.tmp`, record);
const linger = Number(process.env.BROWSER_LINGER_MS ?? 0);
if (linger > 0) setTimeout(() => undefined, linger);
