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

/**
 * A client of any era through `mcp-cli run`, behind one face: the SDK v1's client (2025, as desktop
 * clients are today), or the SDK v2's pinned to 2026-07-28 or negotiating (`auto`). It answers the
 * server's questions (elicitation: a name; sampling: a model's text; roots: one project folder).
 */
export interface EraPeer {
  protocolVersion(): string | undefined;
  serverName(): string | undefined;
  tools(): Promise<string[]>;
  call(
    name: string,
    args?: Record<string, unknown>,
    options?: { onprogress?: (progress: { progress: number }) => void; signal?: AbortSignal },
  ): Promise<string>;
  readResource(uri: string): Promise<string>;
  prompt(name: string, args: Record<string, string>): Promise<string>;
  /** Listens for tools list changes (2026: a `subscriptions/listen` stream; 2025: they come unasked) and resource updates. */
  watch(uri: string, onChange: (what: string) => void): Promise<void>;
  /** What the client answered the server, in order. */
  answered: string[];
  /**
   * The `progress` of every progress notification as it came off the wire. The SDK runs notification
   * handlers a microtask later but a response at once, so progress that arrives in the same read as its
   * request's answer never reaches `onprogress`; this shows what the bridge delivered.
   */
  heardProgress: number[];
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  close(): Promise<void>;
}

export type EraClientKind = '2025' | '2026' | 'auto';

const NAME = 'Ada';
const SAMPLED = 'hi from the model';
const ROOT = 'file:///work/project';

/** Records the progress notifications a connected transport delivers, before the SDK sees them. */
function hearProgress(transport: { onmessage?: ((message: never, extra?: never) => void) | undefined }, heard: number[]): void {
  const deliver = transport.onmessage!;
  transport.onmessage = (message, extra) => {
    const m = message as { method?: string; params?: { progress?: unknown } };
    if (m.method === 'notifications/progress' && typeof m.params?.progress === 'number') heard.push(m.params.progress);
    deliver(message, extra);
  };
}

export async function connectEraPeer(sandbox: Sandbox, name: string, kind: EraClientKind): Promise<EraPeer> {
  const answered: string[] = [];
  const heardProgress: number[] = [];
  const capabilities = { elicitation: { form: {} }, sampling: {}, roots: {} };
  if (kind !== '2025') {
    const run = await connectThroughRun(sandbox, name, {
      capabilities,
      negotiation: kind === 'auto' ? { mode: 'auto' } : { mode: { pin: '2026-07-28' } },
      setup: (client) => {
        client.setRequestHandler('elicitation/create', async (request) => {
          answered.push(`elicitation: ${request.params.message}`);
          return { action: 'accept', content: { name: NAME } };
        });
        client.setRequestHandler('sampling/createMessage', async (request) => {
          answered.push(`sampling: ${JSON.stringify(request.params.messages[0]!.content)}`);
          return { role: 'assistant', model: 'test-model', content: { type: 'text', text: SAMPLED } };
        });
        client.setRequestHandler('roots/list', async () => {
          answered.push('roots');
          return { roots: [{ uri: ROOT, name: 'project' }] };
        });
      },
    });
    const { client } = run;
    hearProgress(run.transport as never, heardProgress);
    const first = (content: unknown) => ((content as { text?: string }[])[0]?.text ?? '') as string;
    return {
      protocolVersion: () => client.getNegotiatedProtocolVersion(),
      serverName: () => client.getServerVersion()?.name,
      tools: async () => (await client.listTools()).tools.map((t) => t.name),
      call: async (tool, args = {}, options = {}) =>
        first(
          (await client.callTool({ name: tool, arguments: args }, { ...options, ...(options.onprogress ? { resetTimeoutOnProgress: true } : {}) })).content,
        ),
      readResource: async (uri) => {
        const [content] = (await client.readResource({ uri })).contents;
        return content && 'text' in content ? content.text : '';
      },
      prompt: async (prompt, args) => {
        const [message] = (await client.getPrompt({ name: prompt, arguments: args })).messages;
        return message?.content.type === 'text' ? message.content.text : '';
      },
      watch: async (uri, onChange) => {
        client.setNotificationHandler('notifications/tools/list_changed', () => onChange('tools'));
        client.setNotificationHandler('notifications/resources/updated', (n) => onChange(`resource ${n.params.uri}`));
        if (client.getProtocolEra() === 'modern') await client.listen({ toolsListChanged: true, resourceSubscriptions: [uri] });
        else await client.subscribeResource({ uri });
      },
      answered,
      heardProgress,
      stderr: run.stderr,
      exited: run.exited,
      close: run.close,
    };
  }
  const [{ Client: ClientV1 }, { StdioClientTransport: StdioV1 }, types] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/stdio.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(sandbox.env)) if (v !== undefined) env[k] = v;
  const transport = new StdioV1({ command: process.execPath, args: [CLI, 'run', name], env, cwd: sandbox.home, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  let negotiated: string | undefined;
  // The SDK v1 hands the version `initialize` settled on to a transport that takes it.
  Object.assign(transport, { setProtocolVersion: (version: string) => (negotiated = version) });
  const client = new ClientV1({ name: 'v1-client', version: '1.0.0' }, { capabilities });
  client.setRequestHandler(types.ElicitRequestSchema, async (request) => {
    answered.push(`elicitation: ${request.params.message}`);
    return { action: 'accept', content: { name: NAME } };
  });
  client.setRequestHandler(types.CreateMessageRequestSchema, async (request) => {
    answered.push(`sampling: ${JSON.stringify(request.params.messages[0]!.content)}`);
    return { role: 'assistant', model: 'test-model', content: { type: 'text', text: SAMPLED } };
  });
  client.setRequestHandler(types.ListRootsRequestSchema, async () => {
    answered.push('roots');
    return { roots: [{ uri: ROOT, name: 'project' }] };
  });
  await client.connect(transport);
  hearProgress(transport as never, heardProgress);
  const child = (transport as unknown as { _process: ChildProcess })._process;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const first = (content: unknown) => ((content as { text?: string }[])[0]?.text ?? '') as string;
  return {
    protocolVersion: () => negotiated,
    serverName: () => client.getServerVersion()?.name,
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (tool, args = {}, options = {}) => first((await client.callTool({ name: tool, arguments: args }, undefined, options)).content),
    readResource: async (uri) => {
      const [content] = (await client.readResource({ uri })).contents;
      return content && 'text' in content ? String(content.text) : '';
    },
    prompt: async (prompt, args) => {
      const [message] = (await client.getPrompt({ name: prompt, arguments: args })).messages;
      return message?.content.type === 'text' ? message.content.text : '';
    },
    watch: async (uri, onChange) => {
      client.setNotificationHandler(types.ToolListChangedNotificationSchema, () => onChange('tools'));
      client.setNotificationHandler(types.ResourceUpdatedNotificationSchema, (n) => onChange(`resource ${n.params.uri}`));
      await client.subscribeResource({ uri });
    },
    answered,
    heardProgress,
    stderr: () => stderr,
    exited,
    close: () => client.close(),
  };
}
