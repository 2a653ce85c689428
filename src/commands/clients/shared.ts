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

/** JSON's and YAML's escapes in a line (`\u0061`, `\x61`, `\/`): a value can be written in them. */
function unescaped(line: string): string {
  return line
    .replace(/\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\U([0-9a-fA-F]{8})/g, (_m, u4: string, x2: string, u8: string) =>
      String.fromCodePoint(parseInt(u4 ?? x2 ?? u8, 16)),
    )
    .replace(/\\(.)/g, '$1');
}

/**
 * Makes a line of a client's file (or of server_config.json) printable: every value that looks
 * like a secret in those files is replaced by its masked hint (the longest first, so no part of
 * one is left), and so is each word of one (a YAML scalar may be folded over lines). A line
 * that still holds one in escaped form is not shown at all.
 */
export function secretMasker(files: ClientFile[], more: readonly string[] = []): (line: string) => string {
  const values = new Set<string>();
  const add = (value: string) => {
    values.add(value);
    values.add(JSON.stringify(value).slice(1, -1));
    for (const word of value.split(/\s+/)) if (word.length >= 8) values.add(word);
  };
  for (const file of files) {
    for (const f of file.findings) add(f.value);
    for (const server of file.servers) for (const f of server.findings) add(f.value);
  }
  for (const value of more) add(value);
  const sorted = [...values].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    for (const value of sorted) out = out.split(value).join(maskedHint(value));
    if (out.includes('\\')) {
      const plain = unescaped(out);
      if (sorted.some((value) => plain.includes(value))) return '<a line that holds a secret in escaped form: not shown>';
    }
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
