import { readdirSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import type { Env } from '../paths.js';
import type { ClientDef } from './catalog.js';

/**
 * Which files are a client's: its fixed files, and each YAML file of its directories (Continue keeps
 * one block per file in `mcpServers/`), in the user's home or in a project.
 */

export type Where = { env: Env; platform: NodeJS.Platform } | { project: string };

const DIR_FILE = /^\.ya?ml$/i;

function fixedAndDirs(client: ClientDef, where: Where): { files: string[]; dirs: string[] } {
  if ('project' in where) {
    const root = resolve(where.project);
    return { files: client.projectFiles.map((p) => join(root, p)), dirs: (client.projectDirs ?? []).map((d) => join(root, d)) };
  }
  return { files: client.userFiles(where.env, where.platform), dirs: client.userDirs?.(where.env, where.platform) ?? [] };
}

/** The files of a client to look at: the fixed ones, then those found in its directories (sorted), each once. */
export function clientPaths(client: ClientDef, where: Where): string[] {
  const { files, dirs } = fixedAndDirs(client, where);
  const listed = dirs.flatMap((dir) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names
      .filter((name) => DIR_FILE.test(extname(name)))
      .sort()
      .map((name) => join(dir, name));
  });
  return [...new Set([...files, ...listed])];
}

/** Whether a path (resolved) is one of the client's files there: a fixed one, or a YAML file right in one of its directories. */
export function isClientPath(client: ClientDef, where: Where, path: string): boolean {
  const { files, dirs } = fixedAndDirs(client, where);
  const target = resolve(path);
  if (files.some((f) => resolve(f) === target)) return true;
  return DIR_FILE.test(extname(target)) && dirs.some((d) => resolve(d) === dirname(target));
}

/** Whether the client has files in projects at all. */
export const hasProjectFiles = (client: ClientDef) => client.projectFiles.length > 0 || (client.projectDirs ?? []).length > 0;
