import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

// Start-up is a feature: the MCP SDK and zod load only with the commands that need them.
const CHUNKS = join(dirname(CLI), 'chunks');

/** Every file a chunk loads through static imports (dynamic import() is not followed). */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/^import\s*(?:[^'"]*?from\s*)?["'](\.[^"']+)["'];?$/gm)) staticClosure(join(dirname(file), m[1]!), seen);
  return seen;
}

const chunk = (prefix: string) => {
  const name = readdirSync(CHUNKS).find((f) => f.startsWith(`${prefix}-`));
  if (!name) throw new Error(`no ${prefix} chunk in ${CHUNKS}: run \`npm run build\` first`);
  return join(CHUNKS, name);
};
const bundled = (files: Set<string>, pkg: string) => [...files].some((f) => readFileSync(f, 'utf8').includes(`// node_modules/${pkg}/`));

describe('bundle layout', () => {
  it.each(['program', 'list', 'get', 'set'])('%s does not load zod or the MCP SDK', (prefix) => {
    const files = staticClosure(chunk(prefix));
    expect(bundled(files, 'zod')).toBe(false);
    expect(bundled(files, '@modelcontextprotocol/sdk')).toBe(false);
  });

  it.each(['run', 'exec'])('%s loads neither zod nor the MCP SDK before it has to (a stdio server starts without them)', (prefix) => {
    const files = staticClosure(chunk(prefix));
    expect(bundled(files, 'zod')).toBe(false);
    expect(bundled(files, '@modelcontextprotocol/sdk')).toBe(false);
  });

  it('config show loads zod but not the MCP SDK', () => {
    const files = staticClosure(chunk('show'));
    expect(bundled(files, 'zod')).toBe(true);
    expect(bundled(files, '@modelcontextprotocol/sdk')).toBe(false);
  });
});
