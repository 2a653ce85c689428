// The entry point stays tiny: `--version` answers without loading anything else,
// and every command is imported only when it runs.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${MCP_CLI_VERSION}\n`);
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(args);
}
