// An MCP client as Claude Desktop or Cursor is one: the SDK's Client with StdioClientTransport,
// launching `mcp-cli run NAME` (the built binary) with the environment a client config would give it.
// The SDK v2's client opens with the 2025 `initialize` unless told to negotiate (`negotiation`).
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Client, type ClientCapabilities, type VersionNegotiationOptions } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { CLI, type Sandbox } from './cli.js';

export interface RunClient {
  client: Client;
  transport: StdioClientTransport;
  /** The mcp-cli process. */
  pid: number;
  stderr(): string;
  /** Resolves with mcp-cli's exit code (or the signal that ended it) once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  close(): Promise<void>;
}

export interface RunClientOptions {
  /** Arguments after `run NAME` (e.g. `--no-masking`), or before it (`--config PATH`) with `before`. */
  args?: string[];
  before?: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  capabilities?: ClientCapabilities;
  /** How the client settles the era (default: the 2025 `initialize`). */
  negotiation?: VersionNegotiationOptions;
  /** Called before connecting: set request handlers for the server's own requests here. */
  setup?: (client: Client) => void;
}

export async function connectThroughRun(sandbox: Sandbox, name: string, options: RunClientOptions = {}): Promise<RunClient> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...sandbox.env, ...options.env })) if (v !== undefined) env[k] = v;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...(options.before ?? []), 'run', name, ...(options.args ?? [])],
    env,
    cwd: options.cwd ?? sandbox.home,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const client = new Client(
    { name: 'run-test-client', version: '1.0.0' },
    { capabilities: options.capabilities ?? {}, ...(options.negotiation ? { versionNegotiation: options.negotiation } : {}) },
  );
  options.setup?.(client);
  const started = transport.start.bind(transport);
  let child: ChildProcess | undefined;
  // The SDK keeps the process to itself; the tests need its exit code.
  transport.start = async () => {
    await started();
    child = (transport as unknown as { _process: ChildProcess })._process;
  };
  const exitedPromise = (async () => {
    while (!child) await new Promise((r) => setTimeout(r, 5));
    const c = child;
    if (c.exitCode !== null || c.signalCode !== null) return { code: c.exitCode, signal: c.signalCode };
    return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => c.once('exit', (code, signal) => resolve({ code, signal })));
  })();
  try {
    await client.connect(transport);
  } catch (error) {
    await transport.close();
    throw new Error(`connecting through mcp-cli run failed: ${(error as Error).message}\nstderr:\n${stderr}`);
  }
  return { client, transport, pid: transport.pid!, stderr: () => stderr, exited: exitedPromise, close: () => client.close() };
}

/** What /proc shows of a process: its command line and its (initial) environment. */
export function procView(pid: number): { cmdline: string; environ: string } {
  return { cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8'), environ: readFileSync(`/proc/${pid}/environ`, 'utf8') };
}

/** The processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (2nd field) is in parentheses and may hold spaces: the parent pid follows the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}
