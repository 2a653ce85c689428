// PowerShell completion in a real pwsh (`npm run test:powershell`): Debian has no PowerShell, so
// vitest.config.ts leaves test/powershell/ out of `npm test`; CI runs it on the GitHub runners.
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: { ...base.test, projects: undefined, include: ['test/powershell/**/*.test.ts'], exclude: configDefaults.exclude },
});
