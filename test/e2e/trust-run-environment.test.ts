// What an MCP client's entry (a project's .mcp.json) can set in the environment of `mcp-cli run`
// must not decide where the user's secrets go: not the Vault that gets the Vault token (VAULT_ADDR,
// VAULT_CACERT, VAULT_CAPATH, VAULT_SKIP_VERIFY, with MCP_CLI_TOKEN_BACKEND or --token-backend to
// choose Vault), not the token file that references read from and logins write to (XDG_DATA_HOME,
// HOME), and not the URL, program or directory of a server that carries a stored token (`${VAR}` in
// its url, command, cwd). Each CLI here is a separate process whose account home is the sandbox.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { createQuickTokenFile, plainToken, seedTokens } from '../helpers/seed-store.js';
import { startCatcher, type Catcher } from '../helpers/catcher.js';
import { startVaultServer, type VaultServer } from '../helpers/vault-server/server.js';

const KEY = 'sk-SENTINEL-run-env-61d0c2';
const PASSPHRASE = 'SENTINEL-passphrase-user-0e5b';
const VAULT_TOKEN = 'hvs.SENTINEL-user-vault-token-93aa';
const ATTACKER_KEY = 'sk-ATTACKER-planted-2f7e';
const ATTACKER_PASSPHRASE = 'attacker-passphrase';

let sandbox: Sandbox;
let repo: string;
let marker: string;
let catcher: Catcher;

beforeEach(async () => {
  sandbox = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: PASSPHRASE });
  repo = join(sandbox.home, 'repo');
  marker = join(sandbox.home, 'started');
  await mkdir(repo);
  catcher = await startCatcher();
  await seedTokens(sandbox.env.XDG_DATA_HOME!, PASSPHRASE, [plainToken('api-key', 'acme', KEY)]);
});
afterEach(async () => {
  await catcher.close();
  await sandbox.cleanup();
});

/** A stdio server that writes what its variable T holds to the marker file, and exits. */
const recorder = (env: Record<string, string> = { T: '${TOKEN:api-key:acme}' }) => ({
  command: process.execPath,
  args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, process.env.T ?? '')`],
  env,
});

const secrets = [KEY, PASSPHRASE, VAULT_TOKEN];
const leaked = (...texts: string[]) => secrets.filter((secret) => texts.some((t) => t.includes(secret)));

describe("the Vault that gets the user's Vault token", () => {
  beforeEach(async () => {
    await writeFile(join(sandbox.home, '.vault-token'), `${VAULT_TOKEN}\n`, { mode: 0o600 });
    await writeOwnConfig(sandbox.home, { mcpServers: { mine: recorder() } });
  });

  it.each([
    ['MCP_CLI_TOKEN_BACKEND=vault and VAULT_ADDR', [] as string[], () => ({ MCP_CLI_TOKEN_BACKEND: 'vault', VAULT_ADDR: catcher.origin })],
    ['--token-backend vault in the arguments and VAULT_ADDR', ['--token-backend', 'vault'], () => ({ VAULT_ADDR: catcher.origin })],
    [
      'VAULT_ADDR beside a VAULT_TOKEN the client passed on (auto selection)',
      [] as string[],
      () => ({ MCP_CLI_TOKEN_BACKEND: undefined, VAULT_ADDR: catcher.origin, VAULT_TOKEN }),
    ],
  ])('an entry that sets %s sends it nowhere, and run says which variable', async (_what, flags, envOf) => {
    const r = await sandbox.run([...flags, 'run', 'mine'], { env: envOf(), timeoutMs: 15_000 });
    expect(catcher.requests).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`VAULT_ADDR names the Vault at ${catcher.origin}, which no config you trust names (tokenStorage.vault.address)`);
    expect(r.stderr).toContain("a server entry's env, which a project file may write, can set this variable");
    expect(existsSync(marker)).toBe(false);
    expect(leaked(r.stdout, r.stderr)).toEqual([]);
  });

  describe('with a Vault in the user’s own config', () => {
    let vault: VaultServer;
    beforeAll(async () => {
      vault = await startVaultServer();
    });
    afterAll(async () => {
      await vault.close();
    });
    beforeEach(async () => {
      vault.requests.length = 0;
      await writeOwnConfig(sandbox.home, { mcpServers: { mine: recorder() }, tokenStorage: { backend: 'vault', vault: { address: vault.address } } });
    });

    it.each([
      ['VAULT_ADDR', () => ({ VAULT_ADDR: catcher.origin })],
      ['VAULT_SKIP_VERIFY', () => ({ VAULT_SKIP_VERIFY: 'true' })],
      ['VAULT_CACERT', () => ({ VAULT_CACERT: join(repo, 'ca.pem') })],
      ['VAULT_CAPATH', () => ({ VAULT_CAPATH: repo })],
    ])('%s that differs from it is refused: neither Vault gets a request', async (variable, envOf) => {
      await writeFile(join(repo, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n');
      const r = await sandbox.run(['run', 'mine'], { env: { ...envOf(), VAULT_TOKEN, MCP_CLI_TOKEN_BACKEND: undefined }, timeoutMs: 15_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(variable);
      expect(r.stderr).toContain("a server entry's env, which a project file may write, can set this variable");
      expect(catcher.requests).toEqual([]);
      expect(vault.requests).toEqual([]);
      expect(existsSync(marker)).toBe(false);
      expect(leaked(r.stdout, r.stderr)).toEqual([]);
    });

    it('a VAULT_ADDR that names the same Vault changes nothing, and the commands typed in a shell follow VAULT_ADDR as before', async () => {
      const shell = { VAULT_ADDR: vault.address, VAULT_TOKEN: vault.rootToken, MCP_CLI_TOKEN_BACKEND: undefined };
      await writeOwnConfig(sandbox.home, { mcpServers: { mine: recorder() }, tokenStorage: { backend: 'vault' } });
      const set = await sandbox.run(['token', 'set', 'acme', '--type', 'api-key'], { input: KEY, env: shell });
      expect(set.code, set.stderr).toBe(0);
      // Without the address in a config, run refuses the variable even when it names the Vault the shell uses.
      const refused = await sandbox.run(['run', 'mine'], { env: shell, timeoutMs: 15_000 });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`set "tokenStorage": {"vault": {"address": "${vault.address}"}} in your config`);
      await writeOwnConfig(sandbox.home, { mcpServers: { mine: recorder() }, tokenStorage: { backend: 'vault', vault: { address: `${vault.address}/` } } });
      const r = await sandbox.run(['run', 'mine'], { env: shell, timeoutMs: 15_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(await readFile(marker, 'utf8')).toBe(KEY);
    });
  });
});

describe('the token file', () => {
  /** A token file planted in the repository, under the attacker's passphrase, holding the attacker's value for the user's reference. */
  async function plant(dataHome: string): Promise<void> {
    await createQuickTokenFile(dataHome, ATTACKER_PASSPHRASE);
    const r = await sandbox.run(['token', 'set', 'acme', '--type', 'api-key'], {
      input: ATTACKER_KEY,
      env: { XDG_DATA_HOME: dataHome, MCP_CLI_ENCRYPTION_KEY: ATTACKER_PASSPHRASE },
    });
    expect(r.code, r.stderr).toBe(0);
  }

  beforeEach(async () => {
    await writeOwnConfig(sandbox.home, { mcpServers: { mine: recorder() } });
  });

  it.each([
    ['XDG_DATA_HOME', () => join(repo, 'data'), () => ({ XDG_DATA_HOME: join(repo, 'data') })],
    ['HOME', () => join(repo, '.local', 'share'), () => ({ HOME: repo, XDG_DATA_HOME: undefined })],
  ])('one that %s moved into a repository is not used: no planted value reaches the server', async (variable, dataHome, envOf) => {
    await plant(dataHome());
    const r = await sandbox.run(['run', 'mine'], { env: { ...envOf(), MCP_CLI_ENCRYPTION_KEY: ATTACKER_PASSPHRASE }, timeoutMs: 15_000 });
    expect(existsSync(marker) ? await readFile(marker, 'utf8') : '').not.toContain(ATTACKER_KEY);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${variable} moved the token file to ${join(dataHome(), 'mcp-cli', 'tokens.enc')}, away from your own (~/.local/share/mcp-cli/tokens.enc)`,
    );
    expect(r.stderr).toContain("a server entry's env, which a project file may write, can set this variable");
    expect(leaked(r.stdout, r.stderr)).toEqual([]);
  });

  it('~ in tokenStorage.encrypted.path is the account’s home, whatever HOME says', async () => {
    await plant(join(repo, '.local', 'share'));
    await writeOwnConfig(sandbox.home, { mcpServers: { mine: recorder() }, tokenStorage: { encrypted: { path: '~/.local/share/mcp-cli/tokens.enc' } } });
    const planted = await sandbox.run(['run', 'mine'], { env: { HOME: repo, MCP_CLI_ENCRYPTION_KEY: ATTACKER_PASSPHRASE }, timeoutMs: 15_000 });
    expect(planted.code).not.toBe(0);
    expect(existsSync(marker)).toBe(false);
    const own = await sandbox.run(['run', 'mine'], { env: { HOME: repo }, timeoutMs: 15_000 });
    expect(own.code, own.stderr).toBe(0);
    expect(await readFile(marker, 'utf8')).toBe(KEY);
  });

  it('a moved token file that a config you trust names is used, and commands typed in a shell follow XDG_DATA_HOME as before', async () => {
    const dataHome = join(sandbox.home, 'data');
    const env = { XDG_DATA_HOME: dataHome };
    await createQuickTokenFile(dataHome, PASSPHRASE);
    expect((await sandbox.run(['token', 'set', 'acme', '--type', 'api-key'], { input: 'moved-value', env })).code).toBe(0);
    const got = await sandbox.run(['token', 'get', 'acme', '--namespace', 'api-key', '--show-value'], { env });
    expect(got.stdout.trim()).toBe('moved-value');
    await writeOwnConfig(sandbox.home, { mcpServers: { mine: recorder() }, tokenStorage: { encrypted: { path: join(dataHome, 'mcp-cli', 'tokens.enc') } } });
    const r = await sandbox.run(['run', 'mine'], { env, timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(marker, 'utf8')).toBe('moved-value');
  });
});
