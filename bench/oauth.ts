import { CLI, type BenchHarness } from '../scripts/bench-harness.js';
import { startTestMcpHttpServer } from '../test/helpers/mcp-servers.js';
import { ownConfigPath } from '../test/helpers/cli.js';
import { createOAuthSandbox } from '../test/helpers/oauth-cli.js';
import { startOAuthServers } from '../test/helpers/oauth-servers.js';

/**
 * What OAuth costs a command once logged in: a server found doing OAuth by its 401 (one extra
 * round trip) against one configured with an `oauth` block; and a server that never answers 401,
 * which must not pay for the token store it does not need.
 */
export default async function oauthBench(h: BenchHarness): Promise<void> {
  const servers = await startOAuthServers();
  const open = await startTestMcpHttpServer({ open: true });
  const sandbox = await createOAuthSandbox({
    configured: { url: servers.mcpUrl, oauth: {} },
    discovered: { url: servers.mcpUrl },
    open: { url: open.url },
    keyed: { url: open.url, headers: { Authorization: 'Bearer not-checked' } },
  });
  const env = sandbox.env as NodeJS.ProcessEnv;
  const config = ownConfigPath(sandbox.home);
  const cli =
    (...args: string[]) =>
    () =>
      h.exec(process.execPath, [CLI, '--config', config, ...args], { env });
  try {
    for (const name of ['configured', 'discovered']) await cli('auth', 'login', name)();
    await h.compare({
      label: 'tools after login: OAuth found by a 401 (no oauth block) vs an oauth block (token sent up front)',
      goal: 1.15,
      runs: 10,
      baseline: { name: 'mcp-cli tools configured', run: cli('tools', 'configured') },
      subject: { name: 'mcp-cli tools discovered', run: cli('tools', 'discovered') },
    });
    await h.compare({
      label: 'ping a server that never answers 401: no Authorization header (OAuth on standby) vs a static one',
      goal: 1.05,
      runs: 15,
      baseline: { name: 'mcp-cli ping keyed', run: cli('ping', 'keyed') },
      subject: { name: 'mcp-cli ping open', run: cli('ping', 'open') },
    });
  } finally {
    await Promise.all([servers.close(), open.close()]);
    await sandbox.cleanup();
  }
}
