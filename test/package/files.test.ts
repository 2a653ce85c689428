// The installed package holds every document that its help, errors and man page point to.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `docs/x.md` and `docs/x.md#anchor` as the text names them (roff's `\-` read as `-`). */
function docsReferences(text: string): string[] {
  return [...text.replace(/\\-/g, '-').matchAll(/\bdocs\/[\w.-]*\w(?:#[\w-]+)?/g)].map((m) => m[0]);
}

/** The anchors GitHub gives a Markdown file's headings. */
function anchors(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
    m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replace(/ /g, '-'),
  );
}

const sources = (readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join('src', f));

let packed: string[];
beforeAll(() => {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  packed = (JSON.parse(output) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}, 60_000);

describe('the npm package', () => {
  it('ships every docs/ file that src/, the man page and the README name, with the headings they link to', () => {
    const referring = [...sources, 'man/mcp-cli.1', 'README.md'];
    const references = referring.flatMap((file) => docsReferences(readFileSync(join(ROOT, file), 'utf8')).map((ref) => ({ file, ref })));
    // The references the help and errors give are among them.
    expect(references.map((r) => r.ref)).toEqual(expect.arrayContaining(['docs/config.md', 'docs/run.md#env-files', 'docs/run.md']));
    const unresolved = references.filter(({ ref }) => {
      const [path, anchor] = ref.split('#') as [string, string | undefined];
      if (!packed.includes(path)) return true;
      return anchor !== undefined && !anchors(readFileSync(join(ROOT, path), 'utf8')).includes(anchor);
    });
    expect(unresolved).toEqual([]);
  });

  it('ships the man page, the README and the license, and says where the project lives', () => {
    expect(packed).toEqual(expect.arrayContaining(['dist/cli.js', 'man/mcp-cli.1', 'README.md', 'LICENSE', 'package.json']));
    expect(packed.filter((p) => p.startsWith('src/') || p.startsWith('test/'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({
      license: 'MIT',
      homepage: 'https://github.com/mcp-cli/mcp-cli#readme',
      repository: { type: 'git', url: 'git+https://github.com/mcp-cli/mcp-cli.git' },
      bugs: { url: 'https://github.com/mcp-cli/mcp-cli/issues' },
    });
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) mcp-cli contributors\n/);
  });
});
