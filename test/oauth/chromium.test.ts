import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { AUTH_URL, createOAuthSandbox, startCli } from '../helpers/oauth-cli.js';
import { startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { requireProgram } from '../helpers/programs.js';

const RECORDER = fileURLToPath(new URL('../helpers/recording-browser.mjs', import.meta.url));

function launchChromium(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: requireProgram('chromium'),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

describe('login in a real headless Chromium', () => {
  let servers: OAuthServers;
  let sandbox: Sandbox;
  let profile: string;

  beforeAll(async () => {
    servers = await startOAuthServers({ consentPage: true });
    sandbox = await createOAuthSandbox({ docs: { url: servers.mcpUrl } });
    profile = await mkdtemp(join(tmpdir(), 'mcp-cli-chromium-'));
  });
  afterAll(async () => {
    await servers?.close();
    await sandbox?.cleanup();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('approves, after opening the URL printed on stderr, on the consent page and lands on the loopback page', async () => {
    // The CLI's browser command does nothing: the test drives Chromium to the URL printed on stderr.
    const cli = startCli(sandbox, ['auth', 'login', 'docs'], { BROWSER: 'true' });
    const [, authUrl] = await cli.waitForStderr(AUTH_URL);
    const context = await launchChromium(profile);
    try {
      const page = await context.newPage();
      await page.goto(authUrl!);
      expect(await page.locator('h1').textContent()).toContain('Allow mcp-cli?');
      await Promise.all([page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/), page.click('#approve')]);
      expect(await page.locator('h1').textContent()).toBe('Login complete');
    } finally {
      await context.close();
    }
    const result = await cli.exited;
    expect(result.stderr).toContain("✓ Logged in to 'docs'");
    expect(result.code).toBe(0);
    expect(servers.counters.codeGrant).toBe(1);
  });

  it('opens the one-time link the browser command was given, goes on to the consent page, and completes the login', async () => {
    const record = join(sandbox.home, 'chromium-browser.json');
    const cli = startCli(sandbox, ['auth', 'login', 'docs'], { BROWSER: `${process.execPath} ${RECORDER}`, BROWSER_RECORD: record });
    await expect.poll(() => existsSync(record), { timeout: 20_000, interval: 50 }).toBe(true);
    const [link] = (JSON.parse(await readFile(record, 'utf8')) as { argv: string[] }).argv;
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\/[\w-]{43}$/);
    const codeGrants = servers.counters.codeGrant;
    const context = await launchChromium(profile);
    try {
      const page = await context.newPage();
      const response = await page.goto(link!);
      // The link sent Chromium on to the authorization server's consent page.
      expect(response?.request().redirectedFrom()?.url()).toBe(link);
      expect(page.url()).toMatch(new RegExp(`^${servers.origin}/authorize\\?`));
      expect(await page.locator('h1').textContent()).toContain('Allow mcp-cli?');
      await Promise.all([page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/), page.click('#approve')]);
      expect(await page.locator('h1').textContent()).toBe('Login complete');
    } finally {
      await context.close();
    }
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("✓ Logged in to 'docs'");
    expect(servers.counters.codeGrant).toBe(codeGrants + 1);
  });
});
