// A server asking the user something in the middle of `call` (elicitation), through the CLI's commands
// (in-process; the terminal forms in a CLI process on a pseudo-terminal) against real SDK servers of
// both eras: `--accept-defaults` sends the server's own defaults (SEP-1034) or declines when a
// required field has none; on a terminal the form is asked field by field, each default kept with
// Enter; without either, a decline. What the server says is masked and printable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputRequired, inputResponse, type McpServer } from '@modelcontextprotocol/server';
import { createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { authOf, startTestMcpHttpServer, type TestMcpHttpServer } from '../helpers/mcp-servers.js';
import { startStatefulMcpServer, type StatefulServer } from '../helpers/stateful-mcp-server.js';
import { runInTerminal } from '../helpers/tty.js';

const TOKEN = 'elicit-sentinel-token-5f1c9a';

/** Every kind of field a form has, each with a default but `level`. */
const PROFILE = {
  type: 'object' as const,
  properties: {
    name: { type: 'string' as const, title: 'Name', description: 'Your full name', default: 'John Doe' },
    age: { type: 'integer' as const, minimum: 0, maximum: 150, default: 30 },
    score: { type: 'number' as const, default: 95.5 },
    status: { type: 'string' as const, enum: ['active', 'inactive', 'pending'], default: 'active' },
    verified: { type: 'boolean' as const, default: true },
    colors: { type: 'array' as const, items: { type: 'string' as const, enum: ['red', 'green', 'blue'] }, default: ['red'] },
    level: { type: 'integer' as const },
  },
};

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

/** The request state each round of a 2026 question arrived with: these tools send none, so none may come back (SEP-2322). */
const statesSeen: unknown[] = [];

/** A 2026-era tool that asks `requestedSchema` (built per request, without request state) and says what came back. */
function asking(server: Pick<McpServer, 'registerTool'>, name: string, ask: (token: string) => { message: string; requestedSchema: typeof PROFILE }): void {
  server.registerTool(name, { description: `asks: ${name}` }, async (ctx) => {
    statesSeen.push(ctx.mcpReq.requestState());
    const answer = inputResponse(ctx.mcpReq.inputResponses, 'q');
    if (answer.kind === 'missing') return inputRequired({ inputRequests: { q: inputRequired.elicit(ask(authOf(ctx)?.token ?? '')) } });
    return text(JSON.stringify(answer.kind === 'elicit' ? { action: answer.action, content: answer.content } : answer));
  });
}

const answerOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as { action: string; content?: Record<string, unknown> };

describe('questions from a 2026-era server (input_required)', () => {
  let sandbox: Sandbox;
  /** `asker` needs no credential (no store is opened); `guarded` takes a stored bearer token, and says it back. */
  let open: TestMcpHttpServer;
  let guarded: TestMcpHttpServer;

  beforeAll(async () => {
    open = await startTestMcpHttpServer({
      open: true,
      eras: '2026',
      spec: {
        name: 'asker',
        version: '1.0.0',
        register(mcp) {
          asking(mcp, 'profile', () => ({ message: 'Who are you?', requestedSchema: PROFILE }));
          asking(mcp, 'must-name', () => ({
            message: 'Name the release',
            requestedSchema: {
              type: 'object',
              properties: { release: { type: 'string' }, notes: { type: 'string', default: '' } },
              required: ['release'],
            } as never,
          }));
        },
      },
    });
    guarded = await startTestMcpHttpServer({
      token: TOKEN,
      eras: '2026',
      spec: {
        name: 'guarded',
        version: '1.0.0',
        register(mcp) {
          asking(mcp, 'leaky', (token) => ({
            message: `Your token is ${token}\u001b]52;c;aGk=\u0007 ok?`,
            requestedSchema: { type: 'object', properties: { sure: { type: 'boolean', title: `sure, ${token}?`, default: false } } } as never,
          }));
        },
      },
    });
    sandbox = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: 'pw' }, { inProcess: true });
    expect((await sandbox.run(['token', 'set', 'k', '--type', 'bearer'], { input: TOKEN })).code).toBe(0);
    await writeOwnConfig(sandbox.home, {
      mcpServers: { asker: { url: open.url }, guarded: { url: guarded.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:k}' } } },
    });
  });
  afterAll(async () => {
    await open?.close();
    await guarded?.close();
    await sandbox?.cleanup();
  });

  it('--accept-defaults sends every default of the form, of every kind, and leaves out an optional field without one', async () => {
    const r = await sandbox.run(['call', 'asker', 'profile', '--accept-defaults']);
    expect(r.code, r.stderr).toBe(0);
    expect(answerOf(r.stdout)).toEqual({
      action: 'accept',
      content: { name: 'John Doe', age: 30, score: 95.5, status: 'active', verified: true, colors: ['red'] },
    });
    expect(r.stderr).toContain("server 'asker' asks: Who are you? (accepted with its defaults)");
    expect(statesSeen.slice(-2)).toEqual([undefined, undefined]);
  });

  it('--accept-defaults declines a form with a required field that has no default, and names it', async () => {
    const r = await sandbox.run(['call', 'asker', 'must-name', '--accept-defaults']);
    expect(r.code, r.stderr).toBe(0);
    expect(answerOf(r.stdout)).toEqual({ action: 'decline' });
    expect(r.stderr).toContain("server 'asker' asks: Name the release (declined: --accept-defaults, and no default for release)");
  });

  it('without a terminal and without --accept-defaults, declines and says how to accept', async () => {
    const r = await sandbox.run(['call', 'asker', 'profile']);
    expect(r.code, r.stderr).toBe(0);
    expect(answerOf(r.stdout)).toEqual({ action: 'decline' });
    expect(r.stderr).toContain("(declined: no terminal to answer on; --accept-defaults accepts the server's defaults)");
  });

  it('shows the question with the stored token masked and control characters escaped', async () => {
    const r = await sandbox.run(['call', 'guarded', 'leaky', '--accept-defaults']);
    expect(r.code, r.stderr).toBe(0);
    expect(answerOf(r.stdout)).toEqual({ action: 'accept', content: { sure: false } });
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).toContain("server 'guarded' asks: Your token is <redacted>\\u001b]52;c;aGk=\\u0007 ok? (accepted with its defaults)");
  });

  describe('on a terminal', () => {
    const onTerminal = (args: string[], keys: { after: string; type: string }[]) => runInTerminal(args, keys, { env: sandbox.env, cwd: sandbox.home });

    it('asks each field with its default shown; Enter keeps a default, a wrong answer is asked again, choices by number', async () => {
      const r = await onTerminal(
        ['call', 'asker', 'profile'],
        [
          { after: 'Answer it? [y/N]', type: 'y\r' },
          { after: 'Name (Enter for John Doe): ', type: 'Ada Lovelace\r' },
          { after: 'age (Enter for 30): ', type: 'abc\r' },
          { after: 'expected a number', type: '200\r' },
          { after: 'at most 150', type: '36\r' },
          { after: 'score (Enter for 95.5): ', type: '\r' },
          { after: 'status (number; Enter for active): ', type: '2\r' },
          { after: 'verified (y/n; Enter for yes): ', type: 'n\r' },
          { after: 'colors (numbers, comma-separated; Enter for red): ', type: '3, green\r' },
          { after: 'level (Enter to leave out): ', type: '\r' },
        ],
      );
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toContain('Your full name');
      expect(r.stdout).toMatch(/1\) active\s+2\) inactive\s+3\) pending/);
      expect(answerOf(r.stdout)).toEqual({
        action: 'accept',
        content: { name: 'Ada Lovelace', age: 36, score: 95.5, status: 'inactive', verified: false, colors: ['blue', 'green'] },
      });
    });

    it('no to "Answer it?" declines; Ctrl-C in the form cancels', async () => {
      const declined = await onTerminal(['call', 'asker', 'profile'], [{ after: 'Answer it? [y/N]', type: 'n\r' }]);
      expect(answerOf(declined.stdout)).toEqual({ action: 'decline' });
      const cancelled = await onTerminal(
        ['call', 'asker', 'must-name'],
        [
          { after: 'Answer it? [y/N]', type: 'y\r' },
          { after: 'release (required): ', type: '\r' },
          // The field asked again: typed once its prompt shows, when the terminal is raw again (Ctrl-C a key, not SIGINT).
          { after: 'an answer is required (Ctrl-C cancels)', type: '' },
          { after: 'release (required): ', type: '\u0003' },
        ],
      );
      expect(answerOf(cancelled.stdout)).toEqual({ action: 'cancel' });
    });

    it('shows field titles masked too', async () => {
      const r = await onTerminal(
        ['call', 'guarded', 'leaky'],
        [
          { after: 'Answer it? [y/N]', type: 'y\r' },
          { after: 'sure, <redacted>? (y/n; Enter for no): ', type: 'y\r' },
        ],
      );
      expect(r.stdout).not.toContain(TOKEN);
      expect(answerOf(r.stdout)).toEqual({ action: 'accept', content: { sure: true } });
    });

    it('--accept-defaults asks nothing, even on a terminal', async () => {
      const r = await onTerminal(['call', 'asker', 'profile', '--accept-defaults'], []);
      expect(r.stdout).not.toContain('Answer it?');
      expect(answerOf(r.stdout)).toMatchObject({ action: 'accept', content: { name: 'John Doe' } });
    });
  });
});

describe("a 2025-era server's elicitation request", () => {
  let sandbox: Sandbox;
  let server: StatefulServer;

  beforeAll(async () => {
    server = await startStatefulMcpServer({ token: TOKEN });
    sandbox = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: 'pw' }, { inProcess: true });
    expect((await sandbox.run(['token', 'set', 'k', '--type', 'bearer'], { input: TOKEN })).code).toBe(0);
    await writeOwnConfig(sandbox.home, { mcpServers: { old: { url: server.url, headers: { Authorization: 'Bearer ${TOKEN:bearer:k}' } } } });
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.cleanup();
  });

  it('--accept-defaults answers with the default, or declines when a required field has none', async () => {
    const accepted = await sandbox.run(['call', 'old', 'ask-format', '--accept-defaults']);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toBe('exported as pdf\n');
    const declined = await sandbox.run(['call', 'old', 'ask-name', '--accept-defaults']);
    expect(declined.stdout).toBe('declined: decline\n');
    expect(declined.stderr).toContain('(declined: --accept-defaults, and no default for name)');
    expect(server.answers['elicitation/create']).toEqual([{ action: 'accept', content: { format: 'pdf' } }, { action: 'decline' }]);
  });

  it('on a terminal, the answer typed goes back to the server', async () => {
    const r = await runInTerminal(
      ['call', 'old', 'ask-format'],
      [
        { after: 'Answer it? [y/N]', type: 'y\r' },
        { after: 'format (number; Enter for pdf): ', type: 'csv\r' },
      ],
      { env: sandbox.env, cwd: sandbox.home },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('exported as csv');
  });
});
