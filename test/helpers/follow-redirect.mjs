/* global fetch, URLSearchParams */
// A stand-in browser for BROWSER=...: opens the URL it is given (its last argument: the login's
// one-time link) and follows its redirects (to the authorization server, which approves at once)
// until one leads to the loopback listener's callback, as a browser would.
// FOLLOW_TAMPER=state|iss changes that parameter on the way, to test that the CLI refuses it.
// FOLLOW_FORGE_FIRST=1 first sends the listener a forged response (another state, another code),
// as an attacker's page would, then the real one; FOLLOW_LOG=FILE records each callback's status;
// FOLLOW_RECORD=FILE records what it was started with (its arguments and environment), one JSON line.
import { appendFileSync } from 'node:fs';

if (process.env.FOLLOW_RECORD) appendFileSync(process.env.FOLLOW_RECORD, `${JSON.stringify({ argv: process.argv.slice(2), env: process.env })}\n`);

let url = process.argv[process.argv.length - 1];
let target;
for (let hop = 0; hop < 5 && !target; hop++) {
  const response = await fetch(url, { redirect: 'manual' });
  await response.arrayBuffer();
  const location = response.headers.get('location');
  if (!location) {
    process.stderr.write(`follow-redirect: no redirect from ${url} (HTTP ${response.status})\n`);
    process.exit(1);
  }
  const next = new URL(location, url);
  if (next.pathname === '/callback') target = next;
  else url = next.href;
}
if (!target) {
  process.stderr.write('follow-redirect: too many redirects\n');
  process.exit(1);
}
const log = (what, status) => process.env.FOLLOW_LOG && appendFileSync(process.env.FOLLOW_LOG, `${what} ${status}\n`);
if (process.env.FOLLOW_FORGE_FIRST) {
  const forged = new URL(target);
  forged.search = new URLSearchParams({ code: 'attacker-code', state: 'attacker' }).toString();
  const answer = await fetch(forged);
  await answer.text();
  log('forged', answer.status);
}
const tamper = process.env.FOLLOW_TAMPER;
if (tamper) target.searchParams.set(tamper, tamper === 'iss' ? 'https://evil.example/' : 'forged-state');
const real = await fetch(target);
await real.text();
log('real', real.status);
