import type { Ctx } from '../../context.js';
import { ExitCode } from '../../errors.js';
import { parseEntry, resolveServers, type ResolvedServer } from '../../config/resolve.js';
import type { ServerConfig } from '../../config/schema.js';
import { TOKENS_NAMESPACE } from '../../oauth/records.js';
import { keyOf } from '../../tokens/model.js';
import type { Check } from '../../validation/report.js';
import { connectServer } from '../../services/connect-server.js';
import { asCliError } from '../shared/store-errors.js';

/**
 * The HTTP servers that send each token: through a reference in `url`, `headers` or `tls`, or as the
 * OAuth login of a server with an `oauth` block. Stdio servers are not started: a token in a child's
 * environment is not something the server accepts or rejects at initialize.
 */
export function serversByToken(config: ServerConfig): Map<string, string[]> {
  const byToken = new Map<string, string[]>();
  const add = (key: string, server: string) => {
    const list = byToken.get(key) ?? [];
    if (!list.includes(server)) list.push(server);
    byToken.set(key, list);
  };
  for (const [name, entry] of Object.entries(config.servers)) {
    if (entry.transport === 'stdio') continue;
    if (entry.oauth) add(keyOf({ namespace: TOKENS_NAMESPACE, name }), name);
    let uses;
    try {
      uses = parseEntry(name, entry).uses;
    } catch {
      continue; // a malformed reference: the server cannot be checked, and `servers` names the problem
    }
    for (const { field, reference } of uses) {
      if (reference.kind === 'token' && (field === 'url' || field.startsWith('headers.') || field.startsWith('tls.'))) add(keyOf(reference), name);
    }
  }
  return byToken;
}

/** Resolves a server with reads audited as `validated`. */
async function resolveForValidation(ctx: Ctx, config: ServerConfig, name: string): Promise<ResolvedServer> {
  const { manager } = await ctx.store();
  const [server] = await resolveServers(config.servers, [name], { lookup: (key) => manager.read(key, 'validated'), env: ctx.env, now: ctx.now() });
  return server!;
}

/**
 * Connects and checks that the server answers, as `ping` does, without ever starting a browser login.
 * 401/403 (or a refused certificate) is `rejected`.
 */
export async function checkServer(ctx: Ctx, config: ServerConfig, name: string): Promise<Omit<Check, 'check'>> {
  const result = (r: Check['result'], detail: string) => ({ target: name, result: r, detail });
  let server: ResolvedServer;
  try {
    server = await resolveForValidation(ctx, config, name);
  } catch (error) {
    const known = asCliError(error);
    if (!known) throw error;
    return result('error', `cannot resolve the server's entry: ${known.message}`);
  }
  try {
    const connection = await connectServer(ctx, server, { oauth: { interactive: false } });
    try {
      // A remembered 2026 era connects without a request: the check presents the credential.
      await connection.alive();
      const info = connection.server;
      const who = `${info?.name ?? 'the server'}${info?.version ? ` ${info.version}` : ''}`;
      return result('passed', `accepted it (${who}, protocol ${connection.protocolVersion ?? 'unknown'})`);
    } finally {
      await connection.close();
    }
  } catch (error) {
    const known = asCliError(error);
    if (!known) throw error;
    return result(known.exitCode === ExitCode.authRequired ? 'rejected' : 'error', known.message);
  }
}
