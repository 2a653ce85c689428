// The programs the tests start, each with the Debian package that has it. scripts/setup.sh installs
// every one of these packages (test/unit/setup-script.test.ts checks it); a test that does not
// find its program fails with the package to install instead of `spawn ... ENOENT`.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const PROGRAM_PACKAGES = {
  bash: 'bash',
  zsh: 'zsh',
  fish: 'fish',
  man: 'man-db',
  script: 'bsdutils',
  tmux: 'tmux',
  openssl: 'openssl',
  age: 'age',
  chromium: 'chromium',
  'dbus-daemon': 'dbus',
  'dbus-run-session': 'dbus',
  'dbus-monitor': 'dbus-bin',
  'gnome-keyring-daemon': 'gnome-keyring',
  'secret-tool': 'libsecret-tools',
} as const;

export type Program = keyof typeof PROGRAM_PACKAGES;

/** The libraries the tests load into the processes they start, and their packages. */
export const LIBRARY_PACKAGES = { 'libnss_wrapper.so': 'libnss-wrapper' } as const;

function findOnPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The message for programs that are not on PATH, naming their packages. */
export function missingMessage(programs: readonly Program[]): string {
  const packages = [...new Set(programs.map((p) => PROGRAM_PACKAGES[p]))].join(' ');
  return `the tests need ${programs.join(', ')}, not found on PATH: install the Debian package${programs.length > 1 ? 's' : ''} (sudo apt-get install ${packages}, or bash scripts/setup.sh)`;
}

/** The absolute path of each program; throws naming the packages of those missing. */
export function requirePrograms(...programs: Program[]): string[] {
  const found = programs.map(findOnPath);
  const missing = programs.filter((_, i) => found[i] === undefined);
  if (missing.length > 0) throw new Error(missingMessage(missing));
  return found as string[];
}

/** The absolute path of `program`; throws naming its package when it is not on PATH. */
export function requireProgram(program: Program): string {
  return requirePrograms(program)[0]!;
}
