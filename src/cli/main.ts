import { directGet } from './direct-get.js';
import { directRun } from './direct-run.js';

// The entry point stays tiny: `--version` answers without loading anything else,
// and every command is imported only when it runs.
const args = process.argv.slice(2);
const direct = directGet(args);
const directServer = direct ? undefined : directRun(args);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${MCP_CLI_VERSION}\n`);
} else if (direct) {
  const [{ run }, { createProcessContext }, { reportError }] = await Promise.all([import('../commands/token/get.js'), import('../context.js'), import('./report-error.js')]);
  try {
    await run(direct.name, { ...direct, showValue: true }, createProcessContext({}));
  } catch (error) {
    process.exitCode = reportError(error, process.stderr);
  }
} else if (directServer) {
  // What MCP clients start: straight to the command (see direct-run.ts).
  const [{ run }, { createProcessContext }, { reportError }] = await Promise.all([import('../commands/run.js'), import('../context.js'), import('./report-error.js')]);
  try {
    const ctx = createProcessContext({ ...(directServer.config !== undefined ? { config: directServer.config } : {}), workingDirectoryConfig: false });
    const status = await run(directServer.server, { masking: directServer.masking !== false }, ctx, { signals: process });
    process.exitCode = status;
    // The server has ended: whatever still holds the event loop does not hold mcp-cli.
    setTimeout(() => process.exit(status), 2000).unref();
  } catch (error) {
    process.exitCode = reportError(error, process.stderr);
  }
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(args);
}
