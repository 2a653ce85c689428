import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../helpers/cli.js';
import { AUTH_URL, createOAuthSandbox, startCli } from '../helpers/oauth-cli.js';
import { startOAuthServers, type OAuthServers } from '../helpers/oauth-servers.js';
import { requireProgram } from '../helpers/programs.js';

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

  it('approves on the consent page and lands on the loopback page', async () => {
    const executablePath = requireProgram('chromium');
    // The CLI's browser command does nothing: the test drives Chromium to the URL printed on stderr.
    const cli = startCli(sandbox, ['auth', 'login', 'docs'], { BROWSER: 'true' });
    const [, authUrl] = await cli.waitForStderr(AUTH_URL);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
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
});
