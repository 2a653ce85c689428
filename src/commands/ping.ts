import type { Ctx } from '../context.js';
import { printable } from '../io/terminal-text.js';
import { withConnection } from '../services/connect-server.js';

export interface PingOptions {
  json?: boolean;
  /** The OAuth login to use instead of the entry's `account`. */
  account?: string;
}

/** Milliseconds to a tenth: more digits than a clock on a network means. */
const tenths = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Connects and checks that the server answers, as its era defines it: `ping` in 2025, `server/discover`
 * in 2026 (which has no ping). The connection itself sends `initialize`, or `server/discover`, or nothing
 * when the server's 2026 era is remembered.
 */
export async function run(name: string, options: PingOptions, ctx: Ctx): Promise<void> {
  await withConnection(ctx, { name, account: options.account }, async (connection, server) => {
    const initializeMs = tenths(connection.connectMs);
    const roundTripMs = tenths(await connection.alive());
    const info = connection.server;
    const result = {
      server: name,
      transport: server.entry.transport,
      name: info?.name ?? null,
      version: info?.version ?? null,
      era: connection.era === 'modern' ? '2026' : '2025',
      protocolVersion: connection.protocolVersion ?? null,
      initializeMs,
      roundTripMs,
    };
    if (options.json) {
      ctx.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    ctx.stdout.write(
      `${printable(result.name ?? '(unnamed)')} ${printable(result.version ?? '(no version)')}: round trip ${roundTripMs.toFixed(1)} ms (connect: ${initializeMs.toFixed(0)} ms over ${result.transport}, protocol ${printable(result.protocolVersion ?? 'unknown')})\n`,
    );
  });
}
