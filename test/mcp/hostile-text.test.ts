// What a server says is shown on a terminal, never obeyed by it: control characters from server
// names, versions, tool names, descriptions, parameters, results and its stderr arrive as visible \u
// escapes. A stdio server's stderr is escaped in ping, tools and call, piped or not (stderr so often
// ends on a terminal: `2>&1 | tee log`); `run` passes it on to the client as it is (masked).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { connectThroughRun } from '../helpers/run-client.js';
import { runInTerminal } from '../helpers/tty.js';

const HOSTILE = new URL('../fixtures/hostile-server.mjs', import.meta.url).pathname;
// What a terminal would obey: OSC (clipboard, title), cursor and screen control, C1 CSI, bidi overrides and isolates.
// eslint-disable-next-line no-control-regex -- control characters are what is looked for
const OBEYED = /\u001b\]|\u001b\[2J|\u001b\[H|\u0007|\u009b|\u202e|\u2066/;
/** What the server writes to its stderr. */
const STDERR = 'warning\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u001b[H\u009b2J\u202eevil\u2066 done';
/** The same as a terminal shows it. */
const STDERR_SHOWN = 'warning\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u001b[2J\\u001b[H\\u009b2J\\u202eevil\\u2066 done';

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
    expect(r.stdout).toContain(STDERR_SHOWN);
    expect(r.stdout).toContain('evil\\u001b]52;c;cm0gLXJmIH4=\\u0007server 6.6.6\\u001b[2J\\u001b[H');
  });

  it('tools shows names, parameters and descriptions with escapes in view', async () => {
    const r = await inTerminal(['tools', 'evil']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(OBEYED);
    expect(r.stdout).toContain(STDERR_SHOWN);
    expect(r.stdout).toContain('arg\\u001b[2J\\u001b[H?: string');
    expect(r.stdout).toContain('Harmless\\u001b]52;c;cm0gLXJmIH4=\\u0007 tool\\u202e');
  });

  it('call shows the result with escapes in view on a terminal, and passes it through untouched to a pipe', async () => {
    const r = await inTerminal(['call', 'evil', 'paste']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(OBEYED);
    expect(r.stdout).toContain('result\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u001b[2J\\u001b[Hdone');
    expect(r.stdout.split(STDERR_SHOWN).length - 1).toBe(2);
    const piped = await sandbox.run(['call', 'evil', 'paste']);
    expect(piped.stdout).toBe('result\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u001b[Hdone\n');
    // stdout is data for a pipe; the server's stderr is escaped all the same.
    expect(piped.stderr).not.toMatch(OBEYED);
    expect(piped.stderr.split(`${STDERR_SHOWN}\r\n`).length - 1).toBe(2);
  });

  it("run passes the server's stderr on to the client as it is", async () => {
    const run = await connectThroughRun(sandbox, 'evil');
    try {
      await run.client.callTool({ name: 'paste', arguments: {} });
      await expect.poll(() => run.stderr().split(STDERR).length - 1).toBe(2);
    } finally {
      await run.close();
    }
    expect(run.stderr()).toBe(`${STDERR}\r\n${STDERR}\r\n`);
  });

  it('an unknown tool is named safely, with the command that lists the tools', async () => {
    const r = await sandbox.run(['call', 'evil', 'nosuch\u001b]52;c;x\u0007']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(OBEYED);
    expect(r.stderr).toContain(STDERR_SHOWN);
    expect(r.stderr).toContain("server 'evil' has no tool 'nosuch\\u001b]52;c;x\\u0007'");
    expect(r.stderr).toContain('hint: see its tools: mcp-cli tools evil');
  });
});
