import type { Ctx } from '../context.js';
import { withConnection } from './shared/connect-server.js';

export interface PingOptions {
  json?: boolean;
}

const since = (start: number) => performance.now() - start;

export async function run(name: string, options: PingOptions, ctx: Ctx): Promise<void> {
  const started = performance.now();
  await withConnection(ctx, name, async (connection, server) => {
    const initializeMs = since(started);
    const pingStart = performance.now();
    await connection.request((c) => c.ping());
    const roundTripMs = since(pingStart);
    const info = connection.client.getServerVersion();
    const result = { server: name, transport: server.entry.transport, name: info?.name ?? null, version: info?.version ?? null, initializeMs, roundTripMs };
    if (options.json) {
      ctx.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    ctx.stdout.write(`${result.name ?? '(unnamed)'} ${result.version ?? '(no version)'}: round trip ${roundTripMs.toFixed(1)} ms (connect and initialize ${initializeMs.toFixed(0)} ms, ${result.transport})\n`);
  });
}
