/* global fetch */
// The conformance adapter's browser (MCP_CLI_BROWSER): a person who approves at once. It opens the
// authorization URL (its last argument) and follows the authorization server's redirects until one
// lands on the login's redirect URI (the loopback listener of mcp-cli), which it then calls.
const MAX_REDIRECTS = 5;

const authorization = new URL(process.argv[process.argv.length - 1]);
const redirectUri = new URL(authorization.searchParams.get('redirect_uri') ?? 'http://127.0.0.1/');
const arrived = (url) => url.origin === redirectUri.origin && url.pathname === redirectUri.pathname;

let url = authorization;
for (let hop = 0; hop < MAX_REDIRECTS && !arrived(url); hop++) {
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  await response.body?.cancel();
  if (!location) {
    process.stderr.write(`conformance browser: ${url.origin}${url.pathname} answered HTTP ${response.status} without a redirect\n`);
    process.exit(1);
  }
  url = new URL(location, url);
}
if (!arrived(url)) {
  process.stderr.write('conformance browser: the redirects never reached the redirect URI\n');
  process.exit(1);
}
await (await fetch(url)).text();
