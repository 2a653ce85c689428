import { dropOutputOnClosedPipe } from '../io/closed-pipe.js';
import { directGet } from './direct-get.js';
import { directRun } from './direct-run.js';
import { envFileRefusal, envFilesLoadedByNode, ownCmdline } from './node-env-file.js';

// The entry point stays tiny: `--version` answers without loading anything else,
// and every command is imported only when it runs.
dropOutputOnClosedPipe(process.stdout);
dropOutputOnClosedPipe(process.stderr);
const args = process.argv.slice(2);
// First of all: an env file that Node loaded itself (`node cli.js exec --env-file F`) may have put code into this process.
const loadedByNode = envFilesLoadedByNode(process, ownCmdline);
const direct = loadedByNode ? undefined : directGet(args);
const directServer = direct || loadedByNode ? undefined : directRun(args);
// HTTPS_PROXY / HTTP_PROXY / NO_PROXY route every request this process makes (src/net/proxy-dispatcher.ts);
// without them, nothing about proxies is loaded.
if (!loadedByNode && Object.keys(process.env).some((name) => /^https?_proxy$/i.test(name) && process.env[name]!.trim() !== ''))
  await (await import('../net/proxy-dispatcher.js')).installProxyRouting(process.env);
if (loadedByNode) {
  const { CliError, processIo, reportError } = await import('./core-entry.js');
  const { message, hint } = envFileRefusal(loadedByNode, process.platform);
  process.exitCode = reportError(new CliError(message, 1, hint), processIo({}));
} else if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${MCP_CLI_VERSION}\n`);
} else if (args.length === 2 && args[0] === '__unlock-agent') {
  // `mcp-cli token unlock` starts this program again as its unlock agent (src/agent/start.ts).
  const { runAgent } = await import('../agent/server.js');
  await runAgent(args[1]!);
} else if (direct) {
  process.exitCode = await (await import('./run-direct-get.js')).runDirectGet(direct);
} else if (directServer) {
  // What MCP clients start: straight to the command (see direct-run.ts).
  const status = await (await import('./run-direct-server.js')).runDirectServer(directServer);
  process.exitCode = status;
  // The server has ended: whatever still holds the event loop does not hold mcp-cli.
  setTimeout(() => process.exit(status), 2000).unref();
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(args, undefined, { exitAfterProgram: true });
}
