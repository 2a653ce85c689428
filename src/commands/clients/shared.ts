import { join } from 'node:path';
import { CLIENT_IDS, isClientId, type ClientId } from '../../clients/catalog.js';
import type { ClientFile } from '../../clients/scan.js';
import { maskedHint } from '../../clients/secrets.js';
import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { withFileLock } from '../../fs/lock.js';
import { printable } from '../../io/terminal-text.js';
import { stateDir } from '../../paths.js';

export function clientId(value: string): ClientId {
  if (!isClientId(value)) throw new CliError(`unknown client '${printable(value)}'`, 1, `clients mcp-cli knows: ${CLIENT_IDS.join(', ')}`);
  return value;
}

/** One `clients import`, `install` or `restore` at a time: each reads, decides and writes several files. */
export function withClientsLock<T>(ctx: Ctx, fn: () => Promise<T>): Promise<T> {
  return withFileLock(join(stateDir(ctx.env), 'clients.lock'), fn);
}

/**
 * Makes a line of a client's file printable: every value that looks like a secret anywhere in
 * those files is replaced by its masked hint (the longest first, so no part of one is left).
 */
export function secretMasker(files: ClientFile[]): (line: string) => string {
  const values = new Set<string>();
  for (const file of files)
    for (const server of file.servers)
      for (const f of server.findings) {
        values.add(f.value);
        values.add(JSON.stringify(f.value).slice(1, -1));
      }
  const sorted = [...values].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    for (const value of sorted) out = out.split(value).join(maskedHint(value));
    return printable(out);
  };
}

/** `NAME=a,b` lists: names, trimmed, none empty. */
export function nameList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new CliError('--servers needs at least one server name');
  return names;
}
