// Demo of `mcp-cli clients`: a Claude Desktop config with an API key in plaintext, found without
// being shown, moved into the token store, and put back. Everything lives in a throw-away directory.
// Run after `npm run build`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoHome } from './demo-home.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const KEY = `sk-demo${randomBytes(16).toString('hex')}`;

function mcpCli(args, env) {
  process.stdout.write(`\n$ mcp-cli ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: env.HOME, stdio: ['ignore', 'inherit', 1] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mcp-cli ${args.join(' ')} exited with ${code}`))));
  });
}

const { home, env } = demoHome();
try {
  const dir = join(home, '.config', 'Claude');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'claude_desktop_config.json');
  const original = JSON.stringify({ mcpServers: { notes: { command: 'npx', args: ['-y', 'notes-mcp'], env: { NOTES_API_KEY: KEY } } } }, null, 2) + '\n';
  writeFileSync(file, original);
  console.log(`$ cat ~/.config/Claude/claude_desktop_config.json   # the key is in plaintext\n${original.replace(KEY, 'sk-demo…')}`);
  await mcpCli(['clients'], env);
  await mcpCli(['clients', 'import', 'claude-desktop', '--dry-run', '--command', 'mcp-cli'], env);
  await mcpCli(['clients', 'import', '--yes', 'claude-desktop', '--command', 'mcp-cli'], env);
  console.log(`\n$ cat ~/.config/Claude/claude_desktop_config.json\n${readFileSync(file, 'utf8')}`);
  // The demo's HOME is not the account's own, so its config directory acts once approved (your own needs no approval).
  await mcpCli(['config', 'trust', join(env.XDG_CONFIG_HOME, 'mcp-cli', 'server_config.json')], env);
  await mcpCli(['config', 'show', 'notes'], env);
  await mcpCli(['clients', 'restore', 'claude-desktop'], env);
  if (readFileSync(file, 'utf8') !== original) throw new Error('restore did not bring the file back byte for byte');
  await mcpCli(['token', 'list'], env);
  console.log('\nThe file is back byte for byte.');
} finally {
  rmSync(home, { recursive: true, force: true });
}
