// PowerShell completion in a real PowerShell: TabExpansion2 is what PowerShell runs on a Tab. Debian
// packages no PowerShell, so the Linux suite (npm test) leaves this file out; `npm run test:powershell`
// runs it where pwsh is installed (the GitHub runners of .github/workflows/ci.yml, every OS).
import { spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';

let sb: Sandbox;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  sb = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: 'test-passphrase' });
  expect((await sb.run(['token', 'set', 'github-pat', '--type', 'bearer', '--value', 'SENTINEL-powershell'])).code).toBe(0);
  await writeOwnConfig(sb.home, { mcpServers: { alpha: { url: 'http://127.0.0.1:9/mcp' }, beta: { command: 'beta-server' } } });
  // `mcp-cli` on PATH as npm installs it: a PowerShell launcher on Windows, an executable elsewhere.
  const bin = join(sb.home, 'bin');
  await mkdir(bin);
  if (process.platform === 'win32') await writeFile(join(bin, 'mcp-cli.ps1'), `& '${process.execPath}' '${CLI}' @args\nexit $LASTEXITCODE\n`);
  else {
    await writeFile(join(bin, 'mcp-cli'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
    await chmod(join(bin, 'mcp-cli'), 0o755);
  }
  const pathKey = Object.keys(process.env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  env = { ...sb.env, [pathKey]: `${bin}${process.platform === 'win32' ? ';' : ':'}${process.env[pathKey]}` };
});
afterAll(() => sb?.cleanup());

/** What PowerShell offers on a Tab at the end of `line`: `TEXT<tab>TOOLTIP` per candidate. */
function complete(line: string): Promise<string[]> {
  const script = [
    'mcp-cli completion powershell | Out-String | Invoke-Expression',
    `$line = '${line.replace(/'/g, "''")}'`,
    '(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { "$($_.CompletionText)`t$($_.ToolTip)" }',
  ].join('; ');
  return new Promise((resolve, reject) => {
    const child = spawn('pwsh', ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', script], {
      env: env as NodeJS.ProcessEnv,
      cwd: sb.home,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (error) => reject(new Error(`cannot run pwsh (install PowerShell): ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(out.split(/\r?\n/).filter(Boolean).sort()) : reject(new Error(`pwsh exited ${code}: ${err}`))));
  });
}

describe('PowerShell', () => {
  it('completes commands and flags, each with what it does', async () => {
    expect(await complete('mcp-cli to')).toEqual(['token\tstore, list and remove tokens', "tools\tlist a server's tools"]);
    expect(await complete('mcp-cli token get --show')).toEqual(['--show-value\tprint the bare value to stdout, for $(...) in scripts']);
    expect((await complete('mcp-cli token ')).map((l) => l.split('\t')[0])).toEqual(expect.arrayContaining(['get', 'list', 'set', '--help']));
  });

  it('completes choices, server names from server_config.json and token names from the backend', async () => {
    expect((await complete('mcp-cli completion ')).map((l) => l.split('\t')[0])).toEqual(['bash', 'fish', 'powershell', 'zsh']);
    expect(await complete('mcp-cli ping ')).toEqual(['alpha\talpha', 'beta\tbeta']);
    expect(await complete('mcp-cli token get gi')).toEqual(['github-pat\tgithub-pat']);
  });

  it('completes file names for options that take a file', async () => {
    await writeFile(join(sb.home, 'value-file.txt'), 'x');
    expect((await complete('mcp-cli token set x --value-file value-f')).map((l) => l.split('\t')[0]!.replace(/^\.[\\/]/, ''))).toEqual(['value-file.txt']);
  });
});
