// What a server says is shown on a terminal, never obeyed by it: control characters from server
// names, versions, tool names, descriptions, parameters and results arrive as visible \u escapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { runInTerminal } from '../helpers/tty.js';

const HOSTILE = new URL('../fixtures/hostile-server.mjs', import.meta.url).pathname;
// What a terminal would obey: OSC (clipboard, title), cursor and screen control, a bidi override.
// eslint-disable-next-line no-control-regex -- control characters are what is looked for
const OBEYED = /\u001b\]|\u001b\[2J|\u001b\[H|\u0007|\u202e/;

describe('text from a server on a terminal', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'test-passphrase' });
    await writeOwnConfig(sandbox.home, { mcpServers: { evil: { command: process.execPath, args: [HOSTILE] } } });
  });
  afterAll(() => sandbox.cleanup());

  const inTerminal = (args: string[]) => runInTerminal(args, [], { env: sandbox.env, cwd: sandbox.home });

  it('ping shows the server name and version with escapes in view', async () => {
    const r = await inTerminal(['ping', 'evil']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(OBEYED);
    expect(r.stdout).toContain('evil\\u001b]52;c;cm0gLXJmIH4=\\u0007server 6.6.6\\u001b[2J\\u001b[H');
  });

  it('tools shows names, parameters and descriptions with escapes in view', async () => {
    const r = await inTerminal(['tools', 'evil']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(OBEYED);
    expect(r.stdout).toContain('arg\\u001b[2J\\u001b[H?: string');
    expect(r.stdout).toContain('Harmless\\u001b]52;c;cm0gLXJmIH4=\\u0007 tool\\u202e');
  });

  it('call shows the result with escapes in view on a terminal, and passes it through untouched to a pipe', async () => {
    const r = await inTerminal(['call', 'evil', 'paste']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(OBEYED);
    expect(r.stdout).toContain('result\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u001b[2J\\u001b[Hdone');
    const piped = await sandbox.run(['call', 'evil', 'paste']);
    expect(piped.stdout).toBe('result\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u001b[Hdone\n');
  });

  it('an unknown tool is named safely, with the command that lists the tools', async () => {
    const r = await sandbox.run(['call', 'evil', 'nosuch\u001b]52;c;x\u0007']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(OBEYED);
    expect(r.stderr).toContain("server 'evil' has no tool 'nosuch\\u001b]52;c;x\\u0007'");
    expect(r.stderr).toContain('hint: see its tools: mcp-cli tools evil');
  });
});
