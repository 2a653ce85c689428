// Passphrase and value prompts on a real pseudo-terminal: the controlling terminal when standard
// input is a pipe, a hidden prompt for `--value -`, three tries for a wrong passphrase.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/cli.js';
import { createQuickTokenFile } from '../helpers/seed-store.js';
import { runInTerminal } from '../helpers/tty.js';

const PASSPHRASE = 'typed at the terminal';
const SECRET = 'SENTINEL-prompt-7a41';
const PROMPT = 'Passphrase for ~/.local/share/mcp-cli/tokens.enc: ';

let sb: Sandbox;
let env: Record<string, string | undefined>;
let tokenFile: string;
beforeEach(async () => {
  sb = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted' });
  env = { ...sb.env, MCP_CLI_ENCRYPTION_KEY: undefined };
  tokenFile = join(sb.env.XDG_DATA_HOME!, 'mcp-cli', 'tokens.enc');
});
afterEach(() => sb.cleanup());

const valueOf = async (name: string) => (await sb.run(['token', 'get', name, '--show-value'], { env: { MCP_CLI_ENCRYPTION_KEY: PASSPHRASE } })).stdout;

/** A token in a file that exists already (made with a cheap key derivation: the prompts, not the derivation, are the subject). */
async function seed(name: string): Promise<void> {
  await createQuickTokenFile(sb.env.XDG_DATA_HOME!, PASSPHRASE);
  const r = await sb.run(['token', 'set', name, '--value', `${SECRET}-${name}`], { env: { MCP_CLI_ENCRYPTION_KEY: PASSPHRASE } });
  expect(r.code, r.stderr).toBe(0);
}

describe('standard input is a pipe, the terminal is the controlling terminal', () => {
  it('both lines of a new passphrase typed at once (a password manager) are both taken; a strong one gets no warning', async () => {
    const r = await runInTerminal(
      ['token', 'set', 'typed-ahead', '--type', 'bearer'],
      [{ after: 'New passphrase for ~/.local/share/mcp-cli/tokens.enc: ', type: `${PASSPHRASE}\r${PASSPHRASE}\r` }],
      { env, cwd: sb.home, pipe: `${SECRET}-ahead` },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toContain('differ');
    expect(r.stdout).not.toContain('weak');
    expect(r.stdout).toContain("Stored bearer token 'typed-ahead'");
    expect(r.stdout).not.toContain(PASSPHRASE);
    expect(await valueOf('typed-ahead')).toBe(`${SECRET}-ahead\n`);
  });

  it('a weak new passphrase is warned of before it is repeated: a lost passphrase loses every token; Enter chooses another', async () => {
    const warning = '! This passphrase is weak (it has 1 character, fewer than 12)';
    const r = await runInTerminal(
      ['token', 'set', 'weak', '--type', 'bearer'],
      [
        { after: 'New passphrase for ~/.local/share/mcp-cli/tokens.enc: ', type: 'x\r' },
        { after: 'Repeat the passphrase: ', type: '\r' },
        { after: 'The weak passphrase was not repeated; try again.', type: 'aaaaaaaaaaaaaaaa\r' },
        { after: '(it repeats a few characters)', type: 'aaaaaaaaaaaaaaaa\r' },
      ],
      { env, cwd: sb.home, pipe: `${SECRET}-weak` },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(warning);
    expect(r.stdout).toContain('A lost passphrase loses every token it protects: nothing can recover them.');
    expect(r.stdout).toContain('Repeat it to use it anyway, or press Enter to choose another.');
    const read = await sb.run(['token', 'get', 'weak', '--show-value'], { env: { MCP_CLI_ENCRYPTION_KEY: 'aaaaaaaaaaaaaaaa' } });
    expect(read.stdout).toBe(`${SECRET}-weak\n`);
  });

  it('`echo value | mcp-cli token set x` asks the new passphrase on /dev/tty and reads the value from the pipe', async () => {
    const r = await runInTerminal(
      ['token', 'set', 'piped'],
      [
        { after: 'New passphrase for ~/.local/share/mcp-cli/tokens.enc: ', type: `${PASSPHRASE}\r` },
        { after: 'Repeat the passphrase: ', type: `${PASSPHRASE}\r` },
      ],
      { env, cwd: sb.home, pipe: `${SECRET}-piped\n` },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain("Stored bearer token 'piped'");
    expect(r.stdout).not.toContain(PASSPHRASE);
    expect(r.stdout).not.toContain(SECRET);
    expect(await valueOf('piped')).toBe(`${SECRET}-piped\n`);
  });

  it('a wrong passphrase may be typed again, up to three tries in all', async () => {
    await seed('first');
    const r = await runInTerminal(
      ['token', 'set', 'second'],
      [
        { after: PROMPT, type: 'wrong once\r' },
        { after: `Sorry, try again.\r\n${PROMPT}`, type: 'wrong twice\r' },
        { after: `Sorry, try again.\r\n${PROMPT}`, type: `${PASSPHRASE}\r` },
      ],
      { env, cwd: sb.home, pipe: `${SECRET}-second` },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain("Stored bearer token 'second'");
    expect(await valueOf('second')).toBe(`${SECRET}-second\n`);
  });

  it('three wrong passphrases end the command with the file untouched', async () => {
    await seed('first');
    const before = await readFile(tokenFile);
    const r = await runInTerminal(
      ['token', 'set', 'second'],
      [
        { after: PROMPT, type: 'wrong 1\r' },
        { after: 'Sorry, try again.', type: 'wrong 2\r' },
        { after: 'Sorry, try again.', type: 'wrong 3\r' },
      ],
      { env, cwd: sb.home, pipe: `${SECRET}-second` },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('wrong passphrase for ~/.local/share/mcp-cli/tokens.enc');
    expect(r.stdout.split('Sorry, try again.').length - 1).toBe(2);
    expect((await readFile(tokenFile)).equals(before)).toBe(true);
  });

  it('without a controlling terminal it still fails naming the variable', async () => {
    await seed('first');
    const r = await sb.run(['token', 'set', 'second'], { env: { MCP_CLI_ENCRYPTION_KEY: undefined }, input: SECRET });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('there is no terminal to ask for it');
    expect(r.stderr).toContain('set MCP_CLI_ENCRYPTION_KEY');
  });
});

describe('--value - on a terminal', () => {
  it('is the hidden prompt, not an echoing read until end of input', async () => {
    const r = await runInTerminal(['token', 'set', 'hidden', '--value', '-'], [{ after: "Enter token value for 'hidden': ", type: `${SECRET}-typed\r` }], {
      env: { ...env, MCP_CLI_ENCRYPTION_KEY: PASSPHRASE },
      cwd: sb.home,
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toContain(SECRET);
    expect(await valueOf('hidden')).toBe(`${SECRET}-typed\n`);
  });

  it('an empty value typed at the prompt is refused with a hint for the terminal it was typed on', async () => {
    await seed('first');
    const r = await runInTerminal(['token', 'set', 'empty', '--value', '-'], [{ after: "Enter token value for 'empty': ", type: '\r' }], {
      env: { ...env, MCP_CLI_ENCRYPTION_KEY: PASSPHRASE },
      cwd: sb.home,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error:\S* the value must not be empty/);
    expect(r.stdout).toContain('hint: type or paste the value at the prompt (it is not echoed), or pass --value-file PATH');
    expect(r.stdout).not.toContain('run in a terminal');
  });
});
