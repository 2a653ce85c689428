import type { Ctx } from '../context.js';
import { printable } from '../io/terminal-text.js';
import { withConnection } from '../services/connect-server.js';

export interface PingOptions {
  json?: boolean;
}

const since = (start: number) => performance.now() - start;
/** Milliseconds to a tenth: more digits than a clock on a network means. */
const tenths = (ms: number) => Math.round(ms * 10) / 10;

export async function run(name: string, options: PingOptions, ctx: Ctx): Promise<void> {
  await withConnection(ctx, name, async (connection, server) => {
    const initializeMs = tenths(connection.initializeMs);
    const pingStart = performance.now();
    await connection.request((c) => c.ping());
    const roundTripMs = tenths(since(pingStart));
    const info = connection.client.getServerVersion();
    const result = { server: name, transport: server.entry.transport, name: info?.name ?? null, version: info?.version ?? null, initializeMs, roundTripMs };
    if (options.json) {
      ctx.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    ctx.stdout.write(
      `${printable(result.name ?? '(unnamed)')} ${printable(result.version ?? '(no version)')}: round trip ${roundTripMs.toFixed(1)} ms (connect and initialize: ${initializeMs.toFixed(0)} ms over ${result.transport})\n`,
    );
  });
}
