import { resolve } from 'node:path';
import { CliError } from '../errors.js';
import { isDeepStrictEqual } from 'node:util';
import { CLIENTS, type ClientDef, type ClientId, type EntryRewrite } from './catalog.js';
import { convert, rewriteFor, rewritten, tokenName, type PlannedToken } from './convert.js';
import { sha256, type ReadFile } from './files.js';
import { editText, valueAt, type DataEdit } from './formats.js';
import { checkFileSecrets, checkNoSecretLeft, checkWrittenEntries } from './leftover.js';
import { launcherFor, type Launcher, type LauncherContext } from './launcher.js';
import { checkOwnConfigText, entryProblem, readOwnConfig } from './own-config.js';
import { undoEdit, type EntryRecord, type FileRecord, type TextEdit } from './record.js';
import { scanClients, type ClientFile, type FieldRef, type FoundServer } from './scan.js';

export interface ImportOptions {
  client: ClientId;
  /** A project directory: its project file(s) instead of the user's. */
  project?: string;
  servers?: string[];
  rename?: boolean;
  overwrite?: boolean;
  command?: string;
}

export interface PlanContext extends LauncherContext {
  /** `namespace:name` of every token in the store. */
  existingTokens: Set<string>;
}

export interface ImportItem {
  file: ClientFile;
  server: FoundServer;
  /** Its name in server_config.json (the client's name, unless renamed). */
  serverName: string;
  tokens: PlannedToken[];
  configEntry: Record<string, unknown>;
  rewrite: EntryRewrite;
  /** The client's entry after the import. */
  entry: Record<string, unknown>;
  /** Arguments that will hold a secret on the server's command line. */
  argv: FieldRef[];
  /** mcp-remote headers handed over in a variable of its environment instead of an argument. */
  movedHeaders: { field: FieldRef; variable: string }[];
}

/** A file an import changes: its text before and after, and what undoes the change. */
export interface FileChange {
  path: string;
  client?: ClientDef;
  before?: ReadFile;
  after: string;
  record: FileRecord;
}

export interface ImportPlan {
  client: ClientDef;
  launcher: Launcher;
  files: ClientFile[];
  items: ImportItem[];
  skipped: { file: ClientFile; server: FoundServer; reason: string }[];
  /** Tokens and servers that exist already and would be replaced (with --overwrite). */
  replaces: { tokens: string[]; servers: string[] };
  config: FileChange;
  changes: FileChange[];
}

const keyOf = (t: { namespace: string; name: string }) => `${t.namespace}:${t.name}`;

function nextFree(base: string, taken: (name: string) => boolean): string {
  for (let n = 2; ; n++) {
    const name = `${base.slice(0, 120)}-${n}`;
    if (!taken(name)) return name;
  }
}

/** Applies edits one at a time, keeping the undo edit of each. */
function editWithUndo(format: ClientDef['format'], text: string, edits: DataEdit[][], label: string): { after: string; undo: TextEdit[] } {
  let current = text;
  const undo: TextEdit[] = [];
  for (const group of edits) {
    const next = editText(format, current, group, label);
    undo.push(undoEdit(current, next));
    current = next;
  }
  return { after: current, undo };
}

/**
 * What importing a client's servers would do, file by file, without writing anything. Name clashes
 * with existing tokens and servers are an error listing them, unless `rename` or `overwrite`.
 */
export function planImport(ctx: PlanContext, options: ImportOptions): ImportPlan {
  const client = CLIENTS[options.client];
  if (options.rename && options.overwrite) throw new CliError('--rename and --overwrite exclude each other');
  if (options.project !== undefined && client.projectFiles.length === 0)
    throw new CliError(`${client.name} has no project files; import its user file without --project`);
  const project = options.project !== undefined ? resolve(options.project) : undefined;
  const files = scanClients({ env: ctx.env, platform: ctx.platform, clients: [options.client], ...(project !== undefined ? { project } : {}) });
  const broken = files.find((f) => f.error);
  if (broken) throw new CliError(broken.error!);
  if (files.length === 0) {
    const where = project !== undefined ? client.projectFiles.map((p) => resolve(project, p)) : client.userFiles(ctx.env, ctx.platform);
    throw new CliError(`no ${client.name} configuration found (looked for ${where.join(', ')})`);
  }
  const wanted = options.servers;
  if (wanted) {
    const known = new Set(files.flatMap((f) => f.servers.map((s) => s.name)));
    const missing = wanted.filter((n) => !known.has(n));
    if (missing.length > 0)
      throw new CliError(`${client.name} has no server ${missing.map((n) => `'${n}'`).join(', ')} (it has: ${[...known].join(', ') || 'none'})`);
  }
  const launcher = launcherFor(ctx, client, options.command);
  const config = readOwnConfig(ctx.env);

  const items: Omit<ImportItem, 'configEntry' | 'entry' | 'rewrite' | 'argv' | 'movedHeaders'>[] = [];
  const pending: { convert: Exclude<ReturnType<typeof convert>, { unsupported: string }> }[] = [];
  const skipped: ImportPlan['skipped'] = [];
  for (const file of files) {
    for (const server of file.servers) {
      const named = wanted?.includes(server.name) ?? false;
      if (wanted && !named) continue;
      if (server.viaMcpCli !== undefined) {
        if (named) skipped.push({ file, server, reason: `it already runs through mcp-cli (server '${server.viaMcpCli}')` });
        continue;
      }
      if (!named && server.findings.length === 0) {
        skipped.push({ file, server, reason: 'it has no plaintext secret (name it with --servers to move it anyway)' });
        continue;
      }
      const converted = convert(client, server);
      if ('unsupported' in converted) {
        skipped.push({ file, server, reason: converted.unsupported });
        continue;
      }
      const invalid = entryProblem(server.name, converted.configEntry());
      if (invalid !== undefined) {
        skipped.push({ file, server, reason: `as a server of server_config.json it would not be valid (${invalid})` });
        continue;
      }
      items.push({ file, server, serverName: server.name, tokens: converted.tokens });
      pending.push({ convert: converted });
    }
  }

  keepInputsWhole(items, pending, skipped);

  // Names: unique within the import, then against the store and server_config.json; tokens named after the final server names.
  const clashes: string[] = [];
  const replaces = { tokens: [] as string[], servers: [] as string[] };
  const plannedServers = new Set<string>();
  const serverTaken = (n: string) => plannedServers.has(n) || Object.hasOwn(config.servers, n);
  for (const item of items) {
    if (plannedServers.has(item.serverName) || Object.hasOwn(config.servers, item.serverName)) {
      if (options.rename) item.serverName = nextFree(item.serverName, serverTaken);
      else if (plannedServers.has(item.serverName)) clashes.push(`server '${item.serverName}' appears more than once (${item.server.label ?? item.file.path})`);
      else if (options.overwrite) replaces.servers.push(item.serverName);
      else clashes.push(`server '${item.serverName}' exists in ${config.path}`);
    }
    plannedServers.add(item.serverName);
  }
  const plannedTokens = new Set<string>();
  for (const item of items) {
    for (const token of item.tokens) {
      token.name = tokenName(item.serverName, token.finding, item.server.name);
      const taken = (name: string) =>
        plannedTokens.has(keyOf({ namespace: token.namespace, name })) || ctx.existingTokens.has(keyOf({ namespace: token.namespace, name }));
      if (plannedTokens.has(keyOf(token))) token.name = nextFree(token.name, taken);
      else if (ctx.existingTokens.has(keyOf(token))) {
        if (options.rename) token.name = nextFree(token.name, taken);
        else if (options.overwrite) replaces.tokens.push(keyOf(token));
        else clashes.push(`token '${token.name}' exists in namespace '${token.namespace}'`);
      }
      plannedTokens.add(keyOf(token));
    }
  }
  if (clashes.length > 0)
    throw new CliError(
      `names already taken:\n  ${clashes.join('\n  ')}\nnothing was changed`,
      1,
      'pass --rename to pick free names, or --overwrite to replace them',
    );

  const full: ImportItem[] = items.map((item, i) => {
    const converted = pending[i]!.convert;
    const rewrite = rewriteFor(client, item.server.raw, launcher, item.serverName, converted.passThrough);
    return {
      ...item,
      configEntry: converted.configEntry(),
      rewrite,
      entry: rewritten(item.server.raw, rewrite),
      argv: converted.argv,
      movedHeaders: converted.movedHeaders,
    };
  });

  const changes: FileChange[] = [];
  for (const file of files) {
    const mine = full.filter((i) => i.file === file);
    if (mine.length === 0 || !file.file) continue;
    const groups: DataEdit[][] = mine.map((item) => {
      if (client.format === 'yaml') return [{ path: item.server.entryPath, value: item.entry }];
      const rewrite = item.rewrite;
      return [
        ...rewrite.remove.map((key) => ({ path: [...item.server.entryPath, key], value: undefined })),
        ...Object.entries(rewrite.set).map(([key, value]) => ({ path: [...item.server.entryPath, key], value })),
      ];
    });
    // The defaults of secret inputs go with the servers that use them: the input stays, without its default.
    const inputs = [...new Set(mine.flatMap((item) => item.tokens.flatMap((t) => (t.finding.input ? [t.finding.input.index] : []))))];
    const inputEntries: EntryRecord[] = inputs.map((index) => {
      const path = [...client.inputs!, index];
      const original = valueAt(file.data, path) as Record<string, unknown>;
      return { path, original, written: Object.fromEntries(Object.entries(original).filter(([key]) => key !== 'default')) };
    });
    if (inputEntries.length > 0) groups.push(inputEntries.map((entry) => ({ path: [...entry.path, 'default'], value: undefined })));
    checkFileSecrets(file, new Set(inputs));
    const { after, undo } = editWithUndo(client.format, file.file.text, groups, file.path);
    const entries: EntryRecord[] = [...mine.map((item) => ({ path: item.server.entryPath, original: item.server.raw, written: item.entry })), ...inputEntries];
    changes.push({
      path: file.path,
      client,
      before: file.file,
      after,
      record: {
        path: file.path,
        ...(file.project !== undefined ? { project: file.project } : {}),
        format: client.format,
        beforeSha: sha256(file.file.text),
        afterSha: sha256(after),
        undo: [undo],
        entries,
      },
    });
  }

  const configEdits = full.map((item) => [{ path: ['mcpServers', item.serverName], value: item.configEntry }]);
  const configBefore = config.file?.text ?? '';
  const { after: configAfter, undo: configUndo } = editWithUndo('json', configBefore, configEdits, config.path);
  const configText = config.file ? configAfter : configAfter.endsWith('\n') ? configAfter : `${configAfter}\n`;
  if (full.length > 0) checkOwnConfigText(config.path, configText);
  const configChange: FileChange = {
    path: config.path,
    ...(config.file ? { before: config.file } : {}),
    after: configText,
    record: {
      path: config.path,
      format: 'json',
      beforeSha: config.file ? sha256(config.file.text) : null,
      afterSha: sha256(configText),
      undo: config.file ? [configUndo] : [],
      entries: full.map((item) => ({
        path: ['mcpServers', item.serverName],
        ...(Object.hasOwn(config.servers, item.serverName) ? { original: config.servers[item.serverName] } : {}),
        written: item.configEntry,
      })),
    },
  };
  for (const item of full) checkWrittenEntries(client, item, config.path);
  const moved = full.flatMap((item) => item.tokens.map((t) => t.finding.value));
  for (const change of [configChange, ...changes]) checkNoSecretLeft(change.path, change.after, moved);
  return {
    client,
    launcher,
    files,
    items: full,
    skipped,
    replaces,
    config: configChange,
    changes,
  };
}

/**
 * A secret input's default leaves the file with the servers that use it, so they move together or
 * not at all: a server that uses one with a server this import does not move stays too, with why.
 */
function keepInputsWhole(items: { file: ClientFile; server: FoundServer }[], pending: unknown[], skipped: ImportPlan['skipped']): void {
  const usesInput = (server: FoundServer, id: string) => server.findings.some((f) => f.input?.id === id);
  for (let at = 0; at < items.length;) {
    const item = items[at]!;
    const moving = new Set(items.map((i) => i.server));
    const ids = item.server.findings.flatMap((f) => (f.input ? [f.input.id] : []));
    const shared = ids.map((id) => ({ id, other: item.file.servers.find((s) => !moving.has(s) && usesInput(s, id)) })).find((s) => s.other);
    if (!shared) {
      at++;
      continue;
    }
    items.splice(at, 1);
    pending.splice(at, 1);
    skipped.push({
      ...item,
      reason: `its secret is the default of input '${shared.id}', which server '${shared.other!.name}' uses too and this import does not move (move them together: --servers ${item.server.name},${shared.other!.name})`,
    });
    // A server left behind may hold back one checked before it.
    at = 0;
  }
}

/** Whether an entry in a file still is what an import wrote there. */
export function stillWritten(data: unknown, entry: EntryRecord): boolean {
  return isDeepStrictEqual(valueAt(data, entry.path), entry.written);
}
