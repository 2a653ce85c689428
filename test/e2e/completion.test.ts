// Shell completion, in the real shells: bash's completion function with its own compgen, fish's
// `complete -C`, and zsh's completion system in an interactive zsh on a pseudo-terminal. The
// candidates come from `mcp-cli __complete`: the command table, server_config.json, and the token
// names of a backend that lists them without asking anything.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { requireProgram, type Program } from '../helpers/programs.js';
import { plainToken, seedTokens } from '../helpers/seed-store.js';
import { runCommandInTerminal } from '../helpers/tty.js';

let sb: Sandbox;
let env: Record<string, string | undefined>;
let bashScript: string;

beforeAll(async () => {
  sb = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: 'test-passphrase' });
  // Its token file has the cheap key derivation: a Tab waits at most 1.5 s for names, which a key
  // derivation of the default cost on a busy machine would use up.
  await seedTokens(sb.env.XDG_DATA_HOME!, 'test-passphrase', [
    plainToken('bearer', 'github-pat', 'SENTINEL-completion'),
    plainToken('api-key', 'openai', 'SENTINEL-completion'),
  ]);
  await writeOwnConfig(sb.home, { mcpServers: { alpha: { url: 'http://127.0.0.1:9/mcp' }, beta: { command: 'beta-server' } } });
  // `mcp-cli` on PATH, as an installed package puts it there.
  const bin = join(sb.home, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'mcp-cli'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
  await chmod(join(bin, 'mcp-cli'), 0o755);
  env = { ...sb.env, PATH: `${bin}:${process.env.PATH}` };
  // What `eval "$(mcp-cli completion bash)"` in ~/.bashrc evaluates, written once as a completions file would be.
  bashScript = join(sb.home, 'mcp-cli.bash');
  const script = await sb.run(['completion', 'bash']);
  expect(script.code, script.stderr).toBe(0);
  await writeFile(bashScript, script.stdout);
});
afterAll(() => sb.cleanup());

function shell(program: Program, args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(requireProgram(program), args, { env: { ...env, ...extraEnv } as NodeJS.ProcessEnv, cwd: sb.home, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${program} exited ${code}: ${err}`))));
  });
}

describe('bash', () => {
  // COMP_WORDS and COMP_CWORD as bash's readline sets them on a Tab.
  const complete = (words: string[], extraEnv?: Record<string, string | undefined>) =>
    shell(
      'bash',
      [
        '--norc',
        '--noprofile',
        '-c',
        `source '${bashScript}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _mcp_cli_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      extraEnv,
    ).then((out) => out.split('\n').filter(Boolean).sort());

  it('completes commands, subcommands and flags', async () => {
    expect(await complete(['mcp-cli', 'to'])).toEqual(['token', 'tools']);
    expect(await complete(['mcp-cli', 'token', 'ro'])).toEqual(['rotate']);
    expect(await complete(['mcp-cli', 'token', 'get', '--s'])).toEqual(['--show-value']);
    expect(await complete(['mcp-cli', 'token', 'set', 'x', '--type', ''])).toEqual(['api-key', 'basic', 'bearer', 'client-cert', 'generic']);
    expect(await complete(['mcp-cli', 'completion', ''])).toEqual(['bash', 'fish', 'powershell', 'zsh']);
    // bash shows no descriptions: the candidates are the bare words.
    expect(await complete(['mcp-cli', 'clients', 'import', 'c'])).toEqual([
      'claude-code',
      'claude-desktop',
      'cline',
      'codex',
      'continue',
      'copilot-cli',
      'crush',
      'cursor',
    ]);
    expect(await complete(['mcp-cli', 'clients', 'restore', 'g'])).toEqual(['gemini', 'goose']);
    expect(await complete(['mcp-cli', 'clients', 'install', 'x', '--client', 'l'])).toEqual(['lm-studio']);
  });

  it('completes server names from server_config.json, token names and namespaces from the backend', async () => {
    expect(await complete(['mcp-cli', 'ping', ''])).toEqual(['alpha', 'beta']);
    expect(await complete(['mcp-cli', 'config', 'show', 'a'])).toEqual(['alpha']);
    expect(await complete(['mcp-cli', 'token', 'get', ''])).toEqual(['github-pat', 'openai']);
    expect(await complete(['mcp-cli', 'token', 'get', '--namespace', 'api-key', ''])).toEqual(['openai']);
    expect(await complete(['mcp-cli', 'token', 'list', '--namespace', ''])).toEqual(['api-key', 'bearer', 'generic', 'oauth']);
  });

  it('a backend that would have to ask for a passphrase lists no token names, and asks nothing', async () => {
    expect(await complete(['mcp-cli', 'token', 'get', ''], { MCP_CLI_ENCRYPTION_KEY: undefined })).toEqual([]);
    expect(await complete(['mcp-cli', 'ping', ''], { MCP_CLI_ENCRYPTION_KEY: undefined })).toEqual(['alpha', 'beta']);
  });

  it('leaves file names to bash for options that take a file', async () => {
    await writeFile(join(sb.home, 'value-file.txt'), 'x');
    expect(await complete(['mcp-cli', 'token', 'set', 'x', '--value-file', 'value-f'])).toEqual(['value-file.txt']);
  });

  it('never expands a name: $(...), backticks and globs in server names run nothing and are not offered', async () => {
    const hostile = ['a$(touch${IFS}PWNED-1)', 'a`touch PWNED-2`', 'a*', 'a\u202eb'];
    await writeOwnConfig(sb.home, { mcpServers: Object.fromEntries([...hostile, 'alpha'].map((name) => [name, { command: 'x' }])) });
    try {
      expect(await complete(['mcp-cli', 'ping', 'a'])).toEqual(['alpha']);
      expect(existsSync(join(sb.home, 'PWNED-1')) || existsSync(join(sb.home, 'PWNED-2'))).toBe(false);
      // A file name with $(...) is completed as the name it is.
      await writeFile(join(sb.home, 'f$(touch PWNED-3)'), 'x');
      expect(await complete(['mcp-cli', 'token', 'set', 'x', '--value-file', 'f'])).toEqual(['f$(touch PWNED-3)']);
      expect(existsSync(join(sb.home, 'PWNED-3'))).toBe(false);
    } finally {
      await writeOwnConfig(sb.home, { mcpServers: { alpha: { url: 'http://127.0.0.1:9/mcp' }, beta: { command: 'beta-server' } } });
    }
  });
});

describe('fish', () => {
  const described = (line: string) =>
    shell('fish', ['--no-config', '-c', `mcp-cli completion fish | source; complete -C${JSON.stringify(line)}`]).then((out) =>
      out.split('\n').filter(Boolean).sort(),
    );
  const complete = async (line: string) => (await described(line)).map((l) => l.split('\t')[0]);

  it('shows what each subcommand and flag does beside it', async () => {
    expect(await described('mcp-cli to')).toEqual(['token\tstore, list and remove tokens', "tools\tlist a server's tools"]);
    expect(await described('mcp-cli token get --show')).toEqual(['--show-value\tprint the bare value to stdout, for $(...) in scripts']);
    // Names from the config or the store come bare.
    expect(await described('mcp-cli ping ')).toEqual(['alpha', 'beta']);
  });

  it('completes commands, flags, server names and token names', async () => {
    expect(await complete('mcp-cli to')).toEqual(['token', 'tools']);
    expect(await complete('mcp-cli token delete --n')).toEqual(['--namespace']);
    expect(await complete('mcp-cli tools ')).toEqual(['alpha', 'beta']);
    expect(await complete('mcp-cli token rotate ')).toEqual(['github-pat', 'openai']);
  });
});

describe('PowerShell', () => {
  // The script itself runs in a real PowerShell in test/powershell/completion.test.ts (npm run test:powershell).
  it('asks with the word being completed in --current=, so that an empty one is never an argument of its own', async () => {
    const script = (await sb.run(['completion', 'powershell'])).stdout;
    expect(script).toContain('Register-ArgumentCompleter -Native -CommandName mcp-cli');
    expect(script).toContain('& mcp-cli __complete --descriptions "--current=$wordToComplete" -- @words');
    const answer = async (...args: string[]) => (await sb.run(['__complete', '--descriptions', ...args])).stdout.split('\n').filter(Boolean);
    expect(await answer('--current=', '--', 'token')).toEqual(expect.arrayContaining(["get\tshow a token's metadata", 'list\tlist stored tokens']));
    expect(await answer('--current=ro', '--', 'token')).toEqual(["rotate\treplace a token's value in one step, keeping its metadata"]);
    expect(await answer('--current=', '--', 'ping')).toEqual(['alpha', 'beta']);
    expect(await answer('--current=', '--', 'token', 'set', 'x', '--value-file')).toEqual([':files']);
  });
});

describe('zsh', () => {
  it('completes through its completion system in an interactive shell', async () => {
    const setup = `PS1='zsh> '; autoload -U compinit; compinit -u; eval "$(mcp-cli completion zsh)"; echo RE""ADY\r`;
    const r = await runCommandInTerminal(
      `${requireProgram('zsh')} -f -i`,
      [
        { after: '', type: setup },
        { after: 'READY', type: 'mcp-cli to\t' },
        { after: 'tools', type: '\u0015mcp-cli ping \t' },
        { after: 'beta', type: '\u0015mcp-cli token get \t' },
        { after: 'openai', type: '\u0015exit\r' },
      ],
      { env, cwd: sb.home },
    );
    // eslint-disable-next-line no-control-regex -- the terminal's escape sequences are what is removed
    const shown = r.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    // Each subcommand with what it does, as the table says.
    expect(shown).toMatch(/token\s+-- store, list and remove tokens\s+tools\s+-- list a server's tools/);
    expect(shown).toMatch(/alpha\s+beta/);
    expect(shown).toMatch(/github-pat\s+openai/);
    expect(shown).not.toContain('SENTINEL');
  });
});
