import type { CallToolResult } from '@modelcontextprotocol/client';
import type { Ctx } from '../context.js';
import { CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import type { Connection } from '../mcp/connect.js';
import { withConnection } from '../services/connect-server.js';
import { answerQuestions } from './shared/elicitation.js';

export interface CallOptions {
  args?: string;
  json?: boolean;
  /** Answer a server's question with its defaults instead of asking (or declining without a terminal). */
  acceptDefaults?: boolean;
  /** The OAuth login to use instead of the entry's `account`. */
  account?: string;
}

function parseArgs(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError('--args is not valid JSON', 1, `pass an object, e.g. --args '{"query": "x"}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CliError('--args must be a JSON object', 1, `e.g. --args '{"query": "x"}'`);
  return value as Record<string, unknown>;
}

function contentText(result: CallToolResult): string {
  const parts = result.content.map((item) => {
    switch (item.type) {
      case 'text':
        return item.text;
      case 'image':
      case 'audio':
        return `[${item.type}: ${item.mimeType}, ${Buffer.from(item.data, 'base64').length} bytes]`;
      case 'resource':
        return 'text' in item.resource ? item.resource.text : `[resource ${item.resource.uri}]`;
      case 'resource_link':
        return `[resource link ${item.uri}]`;
      default:
        return JSON.stringify(item);
    }
  });
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent, null, 2));
  return parts.map((p) => (p.endsWith('\n') ? p : p + '\n')).join('');
}

/** Whether the server's tool list (every page) lacks the tool: asked only once a call has failed. */
async function lacksTool(connection: Connection, tool: string): Promise<boolean> {
  try {
    return !(await listsTool(connection, tool));
  } catch {
    return false;
  }
}

async function listsTool(connection: Connection, tool: string): Promise<boolean> {
  const { tools } = await connection.request((c) => c.listTools());
  return tools.some((t) => t.name === tool);
}

function noSuchTool(server: string, tool: string): CliError {
  return new CliError(`server '${server}' has no tool '${printable(tool)}'`, 1, `see its tools: mcp-cli tools ${server}`);
}

export async function run(name: string, tool: string, options: CallOptions, ctx: Ctx): Promise<void> {
  const args = parseArgs(options.args);
  await withConnection(
    ctx,
    { name, account: options.account },
    async (connection, server) => {
      // In the 2026 era over HTTP the tool's schema comes first: it says which arguments go in Mcp-Param
      // headers (SEP-2243), and a tool with an invalid x-mcp-header is not listed, so never called.
      if (connection.era === 'modern' && server.entry.transport !== 'stdio' && !(await listsTool(connection, tool))) throw noSuchTool(name, tool);
      let result: CallToolResult;
      try {
        result = await connection.request((c) => c.callTool({ name: tool, arguments: args }));
      } catch (error) {
        if (await lacksTool(connection, tool)) throw noSuchTool(name, tool);
        throw error;
      }
      if (result.isError && (await lacksTool(connection, tool))) throw noSuchTool(name, tool);
      // The tool's text is the server's (masked by the connection): shown on a terminal, but never obeyed by it.
      const text = options.json ? JSON.stringify(result, null, 2) + '\n' : contentText(result);
      ctx.stdout.write(ctx.tty.stdout ? printable(text) : text);
      if (result.isError) throw new CliError(`tool '${tool}' on server '${name}' reported an error`);
    },
    answerQuestions(ctx, name, { acceptDefaults: options.acceptDefaults === true }),
  );
}
