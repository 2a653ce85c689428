/* global fetch */
// A stand-in browser for BROWSER=...: fetches the authorization URL (its last argument) and
// follows the authorization server's redirect to the loopback listener, as a browser would.
// FOLLOW_TAMPER=state|iss changes that parameter on the way, to test that the CLI refuses it.
const url = process.argv[process.argv.length - 1];
const response = await fetch(url, { redirect: 'manual' });
const location = response.headers.get('location');
if (!location) {
  process.stderr.write(`follow-redirect: no redirect from ${url} (HTTP ${response.status})\n`);
  process.exit(1);
}
const target = new URL(location, url);
const tamper = process.env.FOLLOW_TAMPER;
if (tamper) target.searchParams.set(tamper, tamper === 'iss' ? 'https://evil.example/' : 'forged-state');
await (await fetch(target)).text();
