// A throw-away HOME for the demos, on the embedded default backend (the encrypted file), so a
// demo never touches a real keychain; the passphrase comes from the environment because a
// demo has no terminal to ask on.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function demoHome() {
  const home = mkdtempSync(join(tmpdir(), 'mcp-cli-demo-'));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    MCP_CLI_TOKEN_BACKEND: 'encrypted',
    MCP_CLI_ENCRYPTION_KEY: randomBytes(18).toString('base64url'),
  };
  return { home, env };
}
