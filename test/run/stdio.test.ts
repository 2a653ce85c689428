import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createSandbox, writeOwnConfig, type Sandbox } from '../helpers/cli.js';
import { plainToken, seedTokens } from '../helpers/seed-store.js';
import { sha256, STDIO_SERVER } from '../helpers/mcp-servers.js';
import { childrenOf, connectThroughRun, procView } from '../helpers/run-client.js';

// `mcp-cli run NAME` for a stdio entry, launched as MCP clients launch servers.
const SECRET = 'stdio-run-SENTINEL-4f1c9a';
const textOf = (result: unknown) => (result as { content: { text: string }[] }).content[0]!.text;

/** What a client's own config holds for the server: mcp-cli and a name, no secret. */
const clientConfig = { mcpServers: { local: { command: 'mcp-cli', args: ['run', 'local'] } } };

describe('mcp-cli run: a stdio server for an MCP client', () => {
  let sandbox: Sandbox;
  let markers: string;

  beforeAll(async () => {
    sandbox = await createSandbox({ MCP_CLI_ENCRYPTION_KEY: 'run-test-passphrase', MCP_CLI_TOKEN_BACKEND: 'encrypted' });
    markers = join(sandbox.home, 'markers');
    await mkdir(markers);
    await seedTokens(sandbox.env.XDG_DATA_HOME!, 'run-test-passphrase', [plainToken('bearer', 'stdio-key', SECRET)]);
    await writeOwnConfig(sandbox.home, {
      mcpServers: {
        local: {
          command: process.execPath,
          args: [STDIO_SERVER],
          env: { API_KEY: '${TOKEN:bearer:stdio-key}', STDIO_SERVER_SIGNAL_MARKER: join(markers, 'sigterm') },
        },
        plain: { command: process.execPath, args: [STDIO_SERVER] },
        quits: { command: process.execPath, args: ['-e', 'process.exit(3)'] },
        missing: { command: process.execPath, args: [STDIO_SERVER], env: { API_KEY: '${TOKEN:bearer:nope}' } },
        absent: { command: join(sandbox.home, 'no-such-program') },
      },
    });
  });
  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('lists and calls tools; the server gets exactly the stored token; no secret in argv, environ or the client config', async () => {
    const run = await connectThroughRun(sandbox, 'local');
    try {
      const { tools } = await run.client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['env-sha256', 'echo-env', 'argv']));
      expect(run.client.getServerVersion()?.name).toBe('mcp-cli-stdio-test-server');
      expect(textOf(await run.client.callTool({ name: 'env-sha256', arguments: { name: 'API_KEY' } }))).toBe(sha256(SECRET));
      // The server inherits only the minimal environment: not mcp-cli's passphrase.
      expect(textOf(await run.client.callTool({ name: 'env-names' })).split('\n')).not.toContain('MCP_CLI_ENCRYPTION_KEY');

      const own = procView(run.pid);
      expect(own.cmdline.split('\0')).toEqual([process.execPath, CLI, 'run', 'local', '']);
      expect(own.environ).not.toContain(SECRET);
      const [server] = childrenOf(run.pid);
      expect(server).toBeDefined();
      const child = procView(server!);
      expect(child.cmdline.split('\0')).toEqual([process.execPath, STDIO_SERVER, '']);
      expect(child.cmdline).not.toContain(SECRET);
      // The server itself does get it, in its environment, as the entry says.
      expect(child.environ.split('\0')).toContain(`API_KEY=${SECRET}`);
      expect(JSON.stringify(clientConfig)).not.toContain(SECRET);
      expect(await readFile(join(sandbox.home, '.config', 'mcp-cli', 'server_config.json'), 'utf8')).not.toContain(SECRET);
    } finally {
      await run.close();
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stderr()).not.toContain(SECRET);
  });

  it('masks a secret the server echoes in a tool result and on stderr; --no-masking shows the result', async () => {
    const masked = await connectThroughRun(sandbox, 'local');
    try {
      expect(textOf(await masked.client.callTool({ name: 'echo-env', arguments: { name: 'API_KEY' } }))).toBe('API_KEY=<redacted>');
      await masked.client.callTool({ name: 'log-env', arguments: { name: 'API_KEY' } });
      await expect.poll(() => masked.stderr()).toContain('debug: API_KEY=<redacted>');
    } finally {
      await masked.close();
    }
    expect(masked.stderr()).not.toContain(SECRET);

    const unmasked = await connectThroughRun(sandbox, 'local', { args: ['--no-masking'] });
    try {
      expect(textOf(await unmasked.client.callTool({ name: 'echo-env', arguments: { name: 'API_KEY' } }))).toBe(`API_KEY=${SECRET}`);
      await unmasked.client.callTool({ name: 'log-env', arguments: { name: 'API_KEY' } });
      await expect.poll(() => unmasked.stderr()).toContain('debug: API_KEY=<redacted>');
    } finally {
      await unmasked.close();
    }
    expect(unmasked.stderr()).not.toContain(SECRET);
  });

  it('relays bytes exactly when there is nothing to mask', async () => {
    // A request with odd but valid JSON spacing and unicode goes through, and the answer keeps its bytes.
    const child = spawn(process.execPath, [CLI, 'run', 'plain'], { cwd: sandbox.home, env: sandbox.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stdin.write(
      '{"jsonrpc":"2.0","id":"ü-1","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"ünïcode","version":"1"}}}\n',
    );
    await expect.poll(() => out, { timeout: 15_000 }).toContain('\n');
    child.stdin.end();
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(out.trim())).toMatchObject({ jsonrpc: '2.0', id: 'ü-1', result: { serverInfo: { name: 'mcp-cli-stdio-test-server' } } });
  });

  it("SIGTERM reaches the server, and its exit code is mcp-cli's", async () => {
    const run = await connectThroughRun(sandbox, 'local');
    await run.client.listTools();
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 7, signal: null });
    expect(await readFile(join(markers, 'sigterm'), 'utf8')).toBe('SIGTERM');
    await run.close();
  });

  it('a server killed by a signal gives 128+N; an exit code is passed on', async () => {
    const run = await connectThroughRun(sandbox, 'plain');
    await run.client.listTools();
    const [server] = childrenOf(run.pid);
    process.kill(server!, 'SIGKILL');
    expect(await run.exited).toEqual({ code: 128 + 9, signal: null });
    await run.close();

    const quits = await sandbox.run(['run', 'quits']);
    expect(quits.code).toBe(3);

    const exits = await connectThroughRun(sandbox, 'plain');
    await exits.client.callTool({ name: 'exit', arguments: { code: 42 } });
    expect(await exits.exited).toEqual({ code: 42, signal: null });
    await exits.close();
  });

  it("the client closing stdin closes the server's, and mcp-cli ends with it", async () => {
    const child = spawn(process.execPath, [CLI, 'run', 'plain'], { cwd: sandbox.home, env: sandbox.env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end();
    expect(await new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))).toEqual({ code: 0, signal: null });
  });

  it('a missing token exits 4 before anything starts; an unknown server and a missing command exit 1', async () => {
    const missing = await sandbox.run(['run', 'missing']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("server 'missing', env.API_KEY: ${TOKEN:bearer:nope}: no such token");
    expect(missing.stdout).toBe('');

    const unknown = await sandbox.run(['run', 'nosuch']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no server 'nosuch' in .*server_config\.json \(configured: local, plain/);

    const absent = await sandbox.run(['run', 'absent']);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain("cannot start server 'absent'");
    expect(absent.stderr).toContain('not found');
  });

  it('ignores a ./server_config.json in its working directory', async () => {
    const project = join(sandbox.home, 'hostile-project');
    await mkdir(project);
    const marker = join(markers, 'hostile-started');
    const hostile = { command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'started')`] };
    await writeFile(join(project, 'server_config.json'), JSON.stringify({ mcpServers: { local: hostile, hostile } }));
    // Even approved, the working directory's file is not what `run` reads.
    const trust = await sandbox.run(['config', 'trust', join(project, 'server_config.json')]);
    expect(trust.code, trust.stderr).toBe(0);

    const run = await connectThroughRun(sandbox, 'local', { cwd: project });
    try {
      expect(textOf(await run.client.callTool({ name: 'env-sha256', arguments: { name: 'API_KEY' } }))).toBe(sha256(SECRET));
    } finally {
      await run.close();
    }
    const only = await sandbox.run(['run', 'hostile'], { cwd: project });
    expect(only.code).toBe(1);
    expect(only.stderr).toContain("no server 'hostile'");
    expect(existsSync(marker)).toBe(false);
  });

  it('an unapproved --config file exits 1 with one clear line, and starts nothing', async () => {
    const other = join(sandbox.home, 'elsewhere.json');
    const marker = join(markers, 'unapproved-started');
    await writeFile(
      other,
      JSON.stringify({ mcpServers: { local: { command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`] } } }),
    );
    for (const args of [
      ['run', 'local', '--config', other],
      ['--config', other, 'run', 'local'],
    ]) {
      const r = await sandbox.run(args);
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')[0]).toMatch(/^error: .*elsewhere\.json is not approved, so nothing in it was resolved, contacted or started/);
      expect(r.stderr).toContain(`mcp-cli config trust ${other}`);
      expect(r.stdout).toBe('');
    }
    const viaEnv = await sandbox.run(['run', 'local'], { env: { MCP_CLI_CONFIG: other } });
    expect(viaEnv.code).toBe(1);
    expect(existsSync(marker)).toBe(false);

    // Approved, the same file is used.
    expect((await sandbox.run(['config', 'trust', other])).code).toBe(0);
    const approved = await sandbox.run(['run', 'local', '--config', other]);
    expect(approved.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });
});
