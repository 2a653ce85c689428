// The main job, end to end: the built CLI stores, lists, reads back and deletes tokens
// in a throw-away data directory on the embedded default backend (the encrypted file).
// Later sections connect to real MCP servers with the stored tokens.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoHome } from './demo-home.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const { home, env } = demoHome();

function step(title, args, { input, expectCode = 0 } = {}) {
  console.log(`\n$ mcp-cli ${args.join(' ')}${input !== undefined ? '   (value piped on stdin)' : ''}   # ${title}`);
  const r = spawnSync(process.execPath, [CLI, ...args], { env, cwd: home, input: input ?? '', encoding: 'utf8' });
  process.stdout.write(r.stdout.replace(/^(?=.)/gm, '  '));
  process.stdout.write(r.stderr.replace(/^(?=.)/gm, '  '));
  if (r.status !== expectCode) {
    console.error(`demo failed: expected exit ${expectCode}, got ${r.status}`);
    process.exit(1);
  }
  return r.stdout;
}

function check(condition, what) {
  if (!condition) {
    console.error(`demo failed: ${what}`);
    process.exit(1);
  }
  console.log(`  ✓ ${what}`);
}

try {
  console.log(`Throw-away home: ${home}\nBackend: encrypted file (passphrase from MCP_CLI_ENCRYPTION_KEY, random for this run)`);
  step('which backends exist here', ['token', 'backends']);
  const bearer = `demo-bearer-${randomBytes(8).toString('hex')}`;
  const apiKey = `sk-demo-${randomBytes(12).toString('hex')}`;
  step('store a bearer token, value from stdin', ['token', 'set', 'my-server', '--type', 'bearer', '--expires', '90d'], { input: bearer });
  step('store an API key', ['token', 'set', 'openai', '--type', 'api-key', '--provider', 'openai', '--value', '-'], { input: apiKey });
  step('store a token in a custom namespace', ['token', 'set', 'shared-api', '--type', 'bearer', '--namespace', 'team', '--value', '-'], {
    input: 'demo-team-token',
  });
  const listed = step('list metadata (no values)', ['token', 'list']);
  check(!listed.includes(bearer) && !listed.includes(apiKey), 'token list shows no value');
  step('metadata of one token', ['token', 'get', 'openai', '--namespace', 'api-key']);
  const value = step('read the value back for a script', ['token', 'get', 'openai', '--namespace', 'api-key', '--show-value']);
  check(value === `${apiKey}\n`, 'the value read back is the one stored');
  const file = join(env.XDG_DATA_HOME, 'mcp-cli', 'tokens.enc');
  check((statSync(file).mode & 0o777) === 0o600, `the token file ${file} is mode 0600`);
  step('delete one token', ['token', 'delete', 'my-server']);
  step('a deleted token is gone (exit 1)', ['token', 'get', 'my-server'], { expectCode: 1 });
  step('clear a namespace', ['token', 'clear', '--namespace', 'team', '--force']);
  step('what is left', ['token', 'list', '--json']);
  console.log('\nDemo complete.');
} finally {
  rmSync(home, { recursive: true, force: true });
}
