// Calls the `whoami` tool of an OAuth-protected server the way the CLI's tool commands do:
// tokens from the encrypted store, oauthFetch on the SDK transport, OAuthSession for refresh.
// Usage: node --import tsx oauth-call.ts SERVER URL   (env: HOME/XDG_*, MCP_CLI_ENCRYPTION_KEY)
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CliError } from '../../src/errors.js';
import { oauthFetch } from '../../src/oauth/fetch.js';
import { OAuthSession } from '../../src/oauth/session.js';
import { EncryptedFileStore } from '../../src/stores/encrypted/store.js';
import { passphraseSource } from '../../src/stores/encrypted/passphrase.js';
import { encryptedFilePath } from '../../src/stores/encrypted/descriptor.js';
import { TokenManager } from '../../src/tokens/manager.js';

const [name, url] = process.argv.slice(2) as [string, string];
const be = { env: process.env, platform: process.platform, settings: {}, prompter: { secret: async () => '', confirm: async () => false }, canPrompt: false, stderr: process.stderr };
const manager = new TokenManager(new EncryptedFileStore(encryptedFilePath(be), passphraseSource(be)));
const session = new OAuthSession({ target: { name, url }, manager, env: process.env, now: () => new Date() });
try {
  const client = new Client({ name: 'oauth-call', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: oauthFetch(session, url) }));
  const result = await client.callTool({ name: 'whoami', arguments: { greeting: 'hi' } });
  process.stdout.write(`${(result.content as { text: string }[])[0]!.text}\n`);
  await client.close();
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : 1;
}
