// The last checks of an import plan: nothing it writes may still look like a plaintext secret, and a
// VS Code input whose default is a secret moves with every server that uses it, or with none.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLIENTS } from '../../src/clients/catalog.js';
import { checkWrittenEntries } from '../../src/clients/leftover.js';
import { planImport, type ImportItem } from '../../src/clients/plan.js';
import { serversOf } from '../../src/clients/scan.js';
import { CLI } from '../helpers/cli.js';
import { sentinel, writeText } from '../helpers/client-configs.js';

describe('what an import writes', () => {
  const item = (configEntry: Record<string, unknown>, entry: Record<string, unknown>): ImportItem => {
    const [server] = serversOf(CLIENTS.cursor, { mcpServers: { s: { command: 'x' } } }, 'user');
    return {
      file: { path: '/home/me/.cursor/mcp.json' },
      server,
      serverName: 's',
      tokens: [],
      configEntry,
      entry,
      argv: [],
      movedHeaders: [],
    } as unknown as ImportItem;
  };

  it('is refused, by file and field, when a value of it still looks like a secret', () => {
    const secret = sentinel('left');
    const launch = { command: 'mcp-cli', args: ['run', 's'] };
    const cases = [
      [item({ command: 'x', env: { API_KEY: secret } }, launch), '/home/me/.config/mcp-cli/server_config.json: mcpServers.s.env.API_KEY would still hold'],
      [item({ url: `https://u:${secret}@example.com/mcp` }, launch), 'mcpServers.s.url would still hold'],
      [item({ command: 'x' }, { ...launch, env: { GITHUB_TOKEN: secret } }), '/home/me/.cursor/mcp.json: mcpServers.s.env.GITHUB_TOKEN would still hold'],
    ] as const;
    for (const [it_, message] of cases) {
      let error: Error | undefined;
      try {
        checkWrittenEntries(CLIENTS.cursor, it_, '/home/me/.config/mcp-cli/server_config.json');
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toContain(message);
      expect(error?.message).not.toContain(secret);
    }
    expect(() =>
      checkWrittenEntries(CLIENTS.cursor, item({ command: 'x', env: { API_KEY: '${TOKEN:api-key:s-api-key}' } }, launch), '/c/server_config.json'),
    ).not.toThrow();
  });
});

describe('a secret input used by two servers', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'mcp-cli-inputs-'));
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  it('moves with both of them, or stays with both', async () => {
    const secret = sentinel('shared-input');
    await writeText(
      join(home, '.config', 'Code', 'User', 'mcp.json'),
      JSON.stringify({
        inputs: [{ type: 'promptString', id: 'token', password: true, default: secret }],
        servers: {
          a: { type: 'stdio', command: 'a', env: { A_TOKEN: '${input:token}' } },
          b: { type: 'stdio', command: 'b', env: { B_TOKEN: '${input:token}' } },
        },
      }),
    );
    const ctx = {
      env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
      platform: 'linux' as const,
      self: { execPath: process.execPath, script: CLI },
      existingTokens: new Set<string>(),
    };
    const one = planImport(ctx, { client: 'vscode', servers: ['a'] });
    expect(one.items).toEqual([]);
    expect(one.skipped.map((s) => `${s.server.name}: ${s.reason}`)).toEqual([
      "a: its secret is the default of input 'token', which server 'b' uses too and this import does not move (move them together: --servers a,b)",
    ]);
    const both = planImport(ctx, { client: 'vscode' });
    expect(both.items.map((i) => i.serverName)).toEqual(['a', 'b']);
    expect(both.changes[0]!.after).not.toContain(secret);
    expect(JSON.parse(both.changes[0]!.after).inputs).toEqual([{ type: 'promptString', id: 'token', password: true }]);
  });
});
