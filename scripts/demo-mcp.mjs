// End-to-end demo: a local bearer-protected MCP server, its token stored through
// mcp-cli, a server_config.json that references it, and the server's tools listed
// through mcp-cli. Everything lives in a throw-away directory. Run after `npm run build`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoHome } from './demo-home.mjs';
import express from 'express';
import { bearerAuthChallengeResponse, createMcpHandler, McpServer, OAuthError, OAuthErrorCode, verifyBearerToken } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import * as z from 'zod';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const TOKEN = `demo_${randomBytes(16).toString('hex')}`;

// 1. A streamable-HTTP MCP server (both protocol eras) that only answers requests carrying TOKEN.
function startServer() {
  const app = express();
  const verifier = {
    async verifyAccessToken(token) {
      if (token !== TOKEN) throw new OAuthError(OAuthErrorCode.InvalidToken, 'invalid token');
      return { token, clientId: 'demo', scopes: [], expiresAt: Math.floor(Date.now() / 1000) + 3600 };
    },
  };
  const mcp = toNodeHandler(
    createMcpHandler(() => {
      const server = new McpServer({ name: 'demo-server', version: '1.0.0' });
      server.registerTool('add', { description: 'Add two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) }, async ({ a, b }) => ({
        content: [{ type: 'text', text: String(a + b) }],
      }));
      server.registerTool('time', { description: 'The server time' }, async () => ({ content: [{ type: 'text', text: new Date().toISOString() }] }));
      return server;
    }),
  );
  app.all('/mcp', express.json(), async (req, res) => {
    try {
      req.auth = await verifyBearerToken(req.headers.authorization, { verifier });
    } catch (error) {
      const challenge = bearerAuthChallengeResponse(error);
      res.status(challenge.status);
      challenge.headers.forEach((value, key) => res.setHeader(key, value));
      res.send(await challenge.text());
      return;
    }
    await mcp(req, res, req.body);
  });
  return new Promise((resolve) => {
    const http = app.listen(0, '127.0.0.1', () => resolve(http));
  });
}

function mcpCli(args, env, input) {
  process.stdout.write(`\n$ mcp-cli ${args.join(' ')}${input !== undefined ? '   # value piped on stdin' : ''}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: env.HOME, stdio: ['pipe', 'inherit', 1] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mcp-cli ${args[0]} exited with ${code}`))));
    child.stdin.end(input ?? '');
  });
}

const { home, env } = demoHome();
const http = await startServer();
const url = `http://127.0.0.1:${http.address().port}/mcp`;
try {
  console.log(`Demo MCP server listening on ${url} (bearer token required)`);
  // 2. Store its token in the default backend.
  await mcpCli(['token', 'set', 'demo-api', '--type', 'bearer', '--value', '-'], env, TOKEN);
  // 3. A server_config.json that references the stored token.
  const config = { mcpServers: { demo: { url, headers: { Authorization: 'Bearer ${TOKEN:bearer:demo-api}' } } } };
  writeFileSync(join(home, 'server_config.json'), JSON.stringify(config, null, 2) + '\n');
  console.log(`\n$ cat server_config.json\n${JSON.stringify(config, null, 2)}`);
  // 4. A config file outside the config directory acts only once approved: see what it does, approve it.
  await mcpCli(['config', 'trust'], env);
  // 5. See it work through mcp-cli.
  await mcpCli(['servers'], env);
  await mcpCli(['config', 'show', 'demo'], env);
  await mcpCli(['ping', 'demo'], env);
  await mcpCli(['tools', 'demo'], env);
  await mcpCli(['call', 'demo', 'add', '--args', '{"a": 2, "b": 3}'], env);
  await mcpCli(['token', 'delete', 'demo-api'], env);
} finally {
  http.closeAllConnections();
  http.close();
  rmSync(home, { recursive: true, force: true });
}
