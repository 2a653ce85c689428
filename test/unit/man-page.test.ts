import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAN_PAGE, renderManPage } from '../../scripts/man-page.js';
import { requireProgram } from '../helpers/programs.js';

describe('man/mcp-cli.1', () => {
  it('is what the command table makes (run npm run man after changing a command)', async () => {
    expect(readFileSync(MAN_PAGE, 'utf8')).toBe(await renderManPage());
  });

  it('names every command and option of the table, the environment and the exit codes', async () => {
    const page = readFileSync(MAN_PAGE, 'utf8');
    for (const text of [
      '.SS \\fBmcp\\-cli token set\\fR \\fIname\\fR',
      '\\fB\\-\\-value\\-file\\fR \\fIpath\\fR',
      '.SH ENVIRONMENT',
      'MCP_CLI_ENCRYPTION_KEY',
      '.SH EXIT STATUS',
    ])
      expect(page).toContain(text);
    expect(page).not.toContain('__complete');
  });

  // man-db's man on Linux (CI installs it); other systems' man reads the page as well but warns differently.
  it.runIf(process.platform === 'linux')('man renders it without a warning', () => {
    const shown = spawnSync(requireProgram('man'), ['--warnings', '-l', '-P', 'cat', MAN_PAGE], { env: { ...process.env, MANWIDTH: '80' }, encoding: 'utf8' });
    expect(shown.error).toBeUndefined();
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toMatch(/^NAME\n\s+mcp-cli\s+-\s+Secure\s+credentials/m);
    expect(shown.stdout).toMatch(/^ {3}mcp-cli token get name$/m);
  });
});
