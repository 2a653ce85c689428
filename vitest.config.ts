import { readFileSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  define: { MCP_CLI_VERSION: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    // PowerShell, which Debian does not package: npm run test:powershell (vitest.powershell.config.ts).
    exclude: [...configDefaults.exclude, 'test/powershell/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
