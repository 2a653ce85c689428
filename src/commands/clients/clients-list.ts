import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { CLIENT_IDS, CLIENTS } from '../../clients/catalog.js';
import { clientPaths } from '../../clients/locations.js';
import { describeField, scanClients, type ClientFile, type Finding, type FoundServer } from '../../clients/scan.js';
import { maskedHint } from '../../clients/secrets.js';
import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { renderTable } from '../../io/table.js';
import { printable } from '../../io/terminal-text.js';
import { displayPath } from '../../paths.js';
import { warn } from '../../io/notices.js';
import { tableOutput } from '../shared/present.js';

export interface ClientsListOptions {
  json?: boolean;
  check?: boolean;
  project?: string;
}

interface SecretJson {
  where: string;
  kind: string;
  detectedBy: 'name' | 'shape';
  looksLike: string;
  hint: string;
}

function transportOf(server: FoundServer): string {
  if (server.viaMcpCli !== undefined) return 'mcp-cli';
  if (!server.spec) return 'extension';
  return server.spec.transport;
}

function secretJson(f: Finding): SecretJson {
  return { where: describeField(f.field), kind: f.match.kind, detectedBy: f.match.by, looksLike: f.match.label, hint: maskedHint(f.value) };
}

function serverJson(server: FoundServer) {
  return {
    name: server.name,
    scope: server.label ?? null,
    transport: transportOf(server),
    runs: server.viaMcpCli ?? null,
    secrets: server.findings.map(secretJson),
  };
}

/** `secrets`: the file's own, outside its servers (comments, input defaults no server uses). */
function fileJson(file: ClientFile) {
  return { path: file.path, scope: file.scope, error: file.error ?? null, secrets: file.findings.map(secretJson), servers: file.servers.map(serverJson) };
}

const secretCount = (file: ClientFile) => file.findings.length + file.servers.reduce((m, s) => m + s.findings.length, 0);

/**
 * `mcp-cli clients`: every MCP client config found, its servers, and the values in them that look
 * like plaintext secrets, shown by name, kind and a masked hint, never by value. With `check`, a
 * secret found (or a file that could not be read) makes the exit code 1.
 */
export async function run(options: ClientsListOptions, ctx: Ctx): Promise<void> {
  const files = scanClients({ env: ctx.env, platform: ctx.platform, ...(options.project !== undefined ? { project: resolve(ctx.cwd, options.project) } : {}) });
  const found = files.reduce((n, f) => n + secretCount(f), 0);
  const broken = files.filter((f) => f.error);
  if (options.json) {
    const clients = CLIENT_IDS.filter((id) => files.some((f) => f.client.id === id)).map((id) => ({
      id,
      name: CLIENTS[id].name,
      files: files.filter((f) => f.client.id === id).map(fileJson),
    }));
    ctx.stdout.write(JSON.stringify({ clients, plaintextSecrets: found }, null, 2) + '\n');
  } else {
    const rows: string[][] = [];
    for (const file of files) {
      const path = displayPath(file.path, ctx.env);
      if (file.error) continue;
      if (file.servers.length === 0 && file.findings.length === 0) rows.push([file.client.id, path, '-', '-', '', '', '']);
      for (const f of file.findings)
        rows.push([file.client.id, path, '-', '-', describeField(f.field), `${f.match.kind} (${f.match.label})`, maskedHint(f.value)]);
      for (const server of file.servers) {
        const name = server.label ? `${server.name} (${server.label})` : server.name;
        const transport = server.viaMcpCli !== undefined ? `mcp-cli run ${server.viaMcpCli}` : transportOf(server);
        if (server.findings.length === 0) rows.push([file.client.id, path, name, transport, '', '', '']);
        for (const f of server.findings)
          rows.push([file.client.id, path, name, transport, describeField(f.field), `${f.match.kind} (${f.match.label})`, maskedHint(f.value)]);
      }
    }
    if (rows.length > 0)
      ctx.stdout.write(
        renderTable(
          ['CLIENT', 'FILE', 'SERVER', { title: 'RUNS', flex: true }, { title: 'SECRET AT', flex: true }, { title: 'KIND', flex: true }, 'VALUE'],
          rows,
          tableOutput(ctx),
        ),
      );
    for (const file of broken) warn(ctx, printable(file.error!));
    const ids = [...new Set(files.filter((f) => secretCount(f) > 0).map((f) => f.client.id))];
    const project = options.project !== undefined ? ` --project ${options.project}` : '';
    const move = `move ${found === 1 ? 'it' : 'them'} into the token store with: ${ids.map((id) => `mcp-cli clients import ${id}${project}`).join(', ')}`;
    if (files.length === 0)
      ctx.stderr.write(`No MCP client configuration found ${options.project !== undefined ? `in ${options.project}` : 'in your home directory'}.\n`);
    else if (found === 0) ctx.stderr.write('No plaintext secrets found.\n');
    else if (!options.check) ctx.stderr.write(`${found} plaintext ${found === 1 ? 'secret' : 'secrets'}; ${move}\n`);
    if (options.project === undefined) {
      // In the home directory, ~/.cursor/mcp.json is Cursor's user file, not a project's.
      const userFiles = new Set(files.map((f) => f.path));
      const here = CLIENT_IDS.flatMap((id) => clientPaths(CLIENTS[id], { project: ctx.cwd })).filter((p) => existsSync(p) && !userFiles.has(p));
      if (here.length > 0)
        ctx.stderr.write(
          `This directory has project files too (${[...new Set(here)].map((p) => printable(relative(ctx.cwd, p))).join(', ')}): mcp-cli clients --project .\n`,
        );
    }
  }
  if (options.check && found > 0)
    throw new CliError(
      `${found} plaintext ${found === 1 ? 'secret' : 'secrets'} in MCP client configs`,
      1,
      `move them into the token store: mcp-cli clients import CLIENT`,
    );
  if (options.check && broken.length > 0) throw new CliError(`${broken.length} MCP client ${broken.length === 1 ? 'config' : 'configs'} could not be checked`);
}
