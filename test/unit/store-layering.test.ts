// Stores speak of their own failures: they construct no CliError, and their errors name no command
// of this program (the command layer adds those, in src/commands/shared/store-errors.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The code without comments (block comments, and `//` comments that start a line or follow code). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');

/** Drops `x.write(...)` calls: notices on stderr are not errors. */
function withoutWrites(text: string): string {
  let out = '';
  for (let i = 0; i < text.length;) {
    const at = text.indexOf('.write(', i);
    if (at < 0) return out + text.slice(i);
    out += text.slice(i, at);
    let depth = 0;
    let j = at + '.write'.length;
    for (; j < text.length; j++) {
      if (text[j] === '(') depth++;
      else if (text[j] === ')' && --depth === 0) break;
    }
    i = j + 1;
  }
  return out;
}

// A command of this program: `mcp-cli ...` in backquotes, or a top-level command with what follows it
// ("an mcp-cli token" and "an mcp-cli token file" name the product's things, not a command).
const COMMAND = /`mcp-cli |\bmcp-cli (?:(?:token|auth|config) (?!file\b)[a-z]|(?:servers|ping|tools|call|run|exec|clients)\b)/;

describe('the store layer', () => {
  const files = [...sources('src/stores'), ...sources('src/fs')];

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files)('%s constructs no CliError', (file) => {
    expect(code(readFileSync(join(root, file), 'utf8'))).not.toMatch(/new\s+CliError\b|extends\s+CliError\b/);
  });

  it.each(sources('src/stores'))('%s names no command of mcp-cli in its errors', (file) => {
    const text = withoutWrites(code(readFileSync(join(root, file), 'utf8')));
    expect(text.match(COMMAND)?.[0], relative(root, file)).toBeUndefined();
  });

  it('the check would see a command named in an error', () => {
    expect(withoutWrites(code("throw new StoreError('io', 'x', { remedy: 'run `mcp-cli token list`' });"))).toMatch(COMMAND);
    expect("remedy: 'use mcp-cli token set NAME'").toMatch(COMMAND);
    expect(withoutWrites("io.stderr.write('  `mcp-cli token backends` shows the backends');")).not.toMatch(COMMAND);
    expect("is not an mcp-cli token file, nor an mcp-cli token'").not.toMatch(COMMAND);
  });
});
