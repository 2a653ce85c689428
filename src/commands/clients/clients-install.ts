import { resolve } from 'node:path';
import { CLIENTS } from '../../clients/catalog.js';
import { rewriteFor, rewritten } from '../../clients/convert.js';
import { replaceClientFile } from '../../clients/files.js';
import { editText, valueAt } from '../../clients/formats.js';
import { forwardedVariables, launcherFor } from '../../clients/launcher.js';
import { hasProjectFiles } from '../../clients/locations.js';
import { readOwnConfig } from '../../clients/own-config.js';
import { loadClientFile } from '../../clients/scan.js';
import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { printable } from '../../io/terminal-text.js';
import { displayPath } from '../../paths.js';
import { success, warn } from '../../io/notices.js';
import { clientId, withClientsLock } from './shared.js';

export interface ClientsInstallOptions {
  client: string;
  project?: string;
  command?: string;
  overwrite?: boolean;
}

/** The server must be one of the user's own server_config.json: that is the file `mcp-cli run` reads. */
function requireOwnServer(ctx: Ctx, server: string): void {
  const { path, servers } = readOwnConfig(ctx.env);
  if (!Object.hasOwn(servers, server))
    throw new CliError(
      `no server '${printable(server)}' in ${displayPath(path, ctx.env)}`,
      1,
      "add it there first (or move a client's servers there with mcp-cli clients import CLIENT)",
    );
}

/** `mcp-cli clients install SERVER --client CLIENT`: adds the entry that starts `mcp-cli run SERVER` to the client's file. */
export async function run(server: string, options: ClientsInstallOptions, ctx: Ctx): Promise<void> {
  const client = CLIENTS[clientId(options.client)];
  requireOwnServer(ctx, server);
  let path: string;
  if (options.project !== undefined) {
    if (!hasProjectFiles(client)) throw new CliError(`${client.name} has no project files; install into its user file without --project`);
    path = resolve(ctx.cwd, options.project, client.projectFiles[0]!);
  } else path = client.userFiles(ctx.env, ctx.platform)[0]!;
  const scope = options.project !== undefined ? 'project' : 'user';
  await withClientsLock(ctx, async () => {
    const loaded = loadClientFile(client, path, scope);
    if (loaded.error) throw new CliError(loaded.error);
    const data = loaded.data ?? client.newFile?.(path) ?? {};
    const { path: container, list } = client.containers(data, scope)[0]!;
    const existing = loaded.servers.find((s) => s.name === server && s.entryPath.length === container.length + 1);
    if (existing?.viaMcpCli === server) {
      ctx.stderr.write(`${printable(displayPath(path, ctx.env))} already starts mcp-cli run ${printable(server)}.\n`);
      return;
    }
    if (existing && existing.findings.length > 0)
      throw new CliError(
        `${displayPath(path, ctx.env)} has an entry '${printable(server)}' with plaintext secrets`,
        1,
        `move them into the token store with: mcp-cli clients import ${client.id}${options.project !== undefined ? ` --project ${options.project}` : ''}`,
      );
    if (existing && !options.overwrite)
      throw new CliError(`${displayPath(path, ctx.env)} has an entry '${printable(server)}' already`, 1, 'pass --overwrite to replace it');
    const launcher = launcherFor(ctx, client, options.command);
    const base = existing?.raw ?? client.newEntry?.(server) ?? {};
    const entry = rewritten(base, rewriteFor(client, base, launcher, server, {}, scope === 'user' ? forwardedVariables(ctx.env) : []));
    const before = loaded.file?.text;
    const edits = [];
    if (before === undefined) for (const [key, value] of Object.entries(data)) edits.push({ path: [key], value });
    // A list (Continue's) gets the entry at the end, or in place of the one it replaces.
    const items = valueAt(data, container);
    const at = list ? (existing?.entryPath.at(-1) ?? (Array.isArray(items) ? items.length : 0)) : server;
    edits.push(list && !Array.isArray(items) ? { path: container, value: [entry] } : { path: [...container, at], value: entry });
    const after = editText(client.format, before ?? '', edits, path);
    await replaceClientFile(path, after.endsWith('\n') || before !== undefined ? after : `${after}\n`, before, scope === 'project' ? 0o644 : 0o600);
    success(
      ctx,
      `${printable(displayPath(path, ctx.env))}: '${printable(server)}' starts ${[launcher.command, ...launcher.args, 'run', server].map(printable).join(' ')}`,
    );
    if (scope === 'project')
      warn(
        ctx,
        `this is a project file, usually shared with a team: it works for whoever has a server '${printable(server)}' in their own server_config.json ` +
          '(a server_config.json in the project is acted on only once approved with `mcp-cli config trust`)',
      );
  });
}
