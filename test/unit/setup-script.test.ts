// scripts/setup.sh installs every Debian package whose programs the tests start.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIBRARY_PACKAGES, missingMessage, PROGRAM_PACKAGES, requirePrograms } from '../helpers/programs.js';

const SETUP = readFileSync(new URL('../../scripts/setup.sh', import.meta.url), 'utf8');
const installed = (/^APT_PACKAGES=\(([^)]*)\)$/m.exec(SETUP)?.[1] ?? '').split(/\s+/).filter(Boolean);

describe('scripts/setup.sh', () => {
  it('installs the package of every program and library the tests use', () => {
    expect(installed.length).toBeGreaterThan(0);
    const needed = [...Object.values(PROGRAM_PACKAGES), ...Object.values(LIBRARY_PACKAGES)];
    expect(needed.filter((p) => !installed.includes(p))).toEqual([]);
  });

  it('a missing program fails with the package to install', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => requirePrograms('zsh', 'man')).toThrow(missingMessage(['zsh', 'man']));
    } finally {
      process.env.PATH = path;
    }
    expect(missingMessage(['zsh', 'man'])).toContain('sudo apt-get install zsh man-db');
    expect(missingMessage(['fish'])).toMatch(/the tests need fish, not found on PATH: install the Debian package \(sudo apt-get install fish/);
  });
});
