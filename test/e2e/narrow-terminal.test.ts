// Tables on a real terminal of 80 columns (tmux), not only with COLUMNS: no row wraps, and what
// matters in a row (an expiry, a missing token, a client's file, an unlock) is not cut off.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/io/width.js';
import { CLI, createSandbox, type Sandbox, writeOwnConfig } from '../helpers/cli.js';
import { onTmuxTerminal } from '../helpers/tmux.js';

const COLUMNS = 80;
let sb: Sandbox;
let env: Record<string, string | undefined>;

const DAY = 86_400_000;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();

beforeAll(async () => {
  sb = await createSandbox({ MCP_CLI_TOKEN_BACKEND: 'encrypted', MCP_CLI_ENCRYPTION_KEY: 'narrow-terminal-passphrase' });
  env = { ...sb.env, COLUMNS: undefined, LINES: undefined, NO_COLOR: '1' };
  for (const args of [
    ['long-named-service-token', '--type', 'api-key', '--provider', 'anthropic', '--expires', at(200 * DAY)],
    ['openai-prod', '--type', 'api-key', '--provider', 'openai', '--organization', 'org-research-7', '--expires', at(3 * DAY + 3_600_000)],
    ['github-pat', '--type', 'bearer', '--expires', '2024-01-01T00:00:00Z'],
    ['notes', '--type', 'bearer'],
  ])
    expect((await sb.run(['token', 'set', ...args, '--value', 'SENTINEL-narrow'])).code).toBe(0);
  await writeOwnConfig(sb.home, {
    mcpServers: {
      github: { url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ${TOKEN:bearer:github-pat}' } },
      notes: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-notes'], env: { API_KEY: '${TOKEN:api-key:notes-key}' } },
      search: { url: 'https://search.example.com/mcp', headers: { 'X-Api-Key': '${TOKEN:api-key:openai-prod}' } },
    },
  });
  await mkdir(join(sb.home, '.cursor'));
  await writeFile(
    join(sb.home, '.cursor', 'mcp.json'),
    JSON.stringify({
      mcpServers: {
        brave: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-brave-search'], env: { BRAVE_API_KEY: 'BSAabcdefghijklmnopqrstuvwx123456' } },
        fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home'] },
      },
    }),
  );
});
afterAll(() => sb.cleanup());

async function screen(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<string[]> {
  const { lines } = await onTmuxTerminal([process.execPath, '--', CLI, ...args], { columns: COLUMNS, env: { ...env, ...extraEnv }, cwd: sb.home });
  return lines;
}

/** The table's lines: from its header to the first line that is not a row of it. */
const tableOf = (lines: string[], header: string) => {
  const start = lines.findIndex((l) => l.startsWith(header));
  expect(start, lines.join('\n')).toBeGreaterThanOrEqual(0);
  return lines.slice(start);
};

const expectFits = (rows: string[]) => {
  for (const row of rows) expect(displayWidth(row), row).toBeLessThanOrEqual(COLUMNS);
};

describe(`on a terminal of ${COLUMNS} columns`, () => {
  it('token list fits: EXPIRES in its short form (⚠️ and ⏳ are two columns each); --json keeps the full date', async () => {
    const table = tableOf(await screen(['token', 'list']), 'TYPE');
    expectFits(table.slice(0, 5));
    expect(table[0]).toMatch(/^TYPE +NAME +NAMESPACE +EXPIRES +DETAILS$/);
    expect(table.find((l) => l.startsWith('bearer   github-pat'))).toMatch(/⚠️ expired 2y ago$/);
    expect(table.find((l) => l.includes('openai-prod'))).toMatch(/⏳ in 3d +provider=open/);
    expect(table.find((l) => l.includes('long-named-service-token'))).toMatch(/ in 200d +provider=/);
    expect(table.find((l) => l.startsWith('bearer   notes'))).toMatch(/ never$/);
    const json = JSON.parse((await sb.run(['token', 'list', '--json'])).stdout) as { name: string; expiresAt: string }[];
    expect(json.find((t) => t.name === 'github-pat')!.expiresAt).toBe('2024-01-01T00:00:00.000Z');
  });

  it('servers fits and keeps each token state: missing, expired, expiring-soon', async () => {
    const table = tableOf(await screen(['servers']), 'SERVER');
    expectFits(table.slice(0, 4));
    expect(table.find((l) => l.startsWith('notes'))).toMatch(/ missing api-key:/);
    expect(table.find((l) => l.startsWith('github'))).toMatch(/ expired bearer:/);
    expect(table.find((l) => l.startsWith('search'))).toMatch(/ expiring-soon api-/);
  });

  it('clients fits, with the whole FILE', async () => {
    const table = tableOf(await screen(['clients']), 'CLIENT');
    expectFits(table.slice(0, 3));
    expect(table[1]).toMatch(/^cursor +~\/\.cursor\/mcp\.json +brave +stdio +env\.BRAVE/);
    expect(table[1]).toMatch(/BSA…3456$/);
  });

  it('token backends fits, and an unlock shows until when', async () => {
    expect((await sb.run(['token', 'unlock', '--timeout', '10m'])).code).toBe(0);
    try {
      const table = tableOf(await screen(['token', 'backends']), 'BACKEND');
      expectFits(table.slice(0, 6));
      expect(table.find((l) => l.startsWith('encrypted'))).toMatch(/ unlocked until \d{4}-\d\d-\d\d \d\d:\d\d UTC; /);
      // The active backend's line, under auto with no keychain here: short, the reasons being in the table.
      const auto = tableOf(await screen(['token', 'backends'], { MCP_CLI_TOKEN_BACKEND: undefined }), 'BACKEND');
      const active = auto.find((l) => l.startsWith('Active backend:'));
      expect(active).toBe('Active backend: encrypted (auto: no OS keychain reachable; see secret-service above)');
    } finally {
      expect((await sb.run(['token', 'lock'])).code).toBe(0);
    }
  });
});
