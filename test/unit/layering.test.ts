// Layers point down (DESIGN.md "Layers"): the CLI edge, then the commands, then the services they
// share (config access, the store, resolving servers, the OAuth connection), then everything else.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The code without comments, so that a path named in a comment is no import. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');

/** The project files a module imports: static, type-only, re-exported and dynamic, as paths from the repository root. */
function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  for (const m of code(text).matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g))
    found.push(relative(root, resolve(root, dirname(file), m[2]!)).replace(/\.js$/, '.ts'));
  return found;
}

const within = (file: string, dir: string) => file === dir || file.startsWith(`${dir}/`);

interface Rule {
  /** Who is bound by the rule. */
  applies: (file: string) => boolean;
  /** What those modules must not import. */
  forbidden: string[];
}

const RULES: Record<string, Rule> = {
  'nothing outside src/commands and src/cli imports a command': {
    applies: (f) => !within(f, 'src/commands') && !within(f, 'src/cli'),
    forbidden: ['src/commands'],
  },
  'only the CLI, the commands and the services themselves import a service': {
    applies: (f) => !['src/cli', 'src/commands', 'src/services'].some((dir) => within(f, dir)),
    forbidden: ['src/services'],
  },
};

const files = sources('src');
const imports = new Map(files.map((file) => [file, importsOf(file, readFileSync(join(root, file), 'utf8'))]));

describe('layering', () => {
  it('finds the sources and their imports', () => {
    expect(files.length).toBeGreaterThan(150);
    expect(imports.get('src/services/server-config.ts')).toContain('src/services/config-access.ts');
  });

  it.each(Object.entries(RULES))('%s', (_name, rule) => {
    const breaches = [...imports]
      .filter(([file]) => rule.applies(file))
      .flatMap(([file, targets]) => targets.filter((t) => rule.forbidden.some((dir) => within(t, dir))).map((t) => `${file} -> ${t}`));
    expect(breaches).toEqual([]);
  });

  it('context.ts, which every layer uses, imports no layer above it (no circle through the services)', () => {
    const above = imports.get('src/context.ts')!.filter((t) => ['src/cli', 'src/commands', 'src/services'].some((dir) => within(t, dir)));
    expect(above).toEqual([]);
  });

  it('the check would see each kind of import', () => {
    const seen = importsOf(
      'src/mcp/x.ts',
      [
        "import type { A } from '../commands/a.js';",
        "import { b } from '../services/b.js';",
        "export { c } from './c.js';",
        "const d = await import('../cli/d.js');",
        "import '../e.js';",
        "// import { f } from '../commands/f.js';",
      ].join('\n'),
    );
    expect(seen).toEqual(['src/commands/a.ts', 'src/services/b.ts', 'src/mcp/c.ts', 'src/cli/d.ts', 'src/e.ts']);
  });
});
