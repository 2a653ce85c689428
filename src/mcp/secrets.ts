import type { ResolvedServer } from '../config/resolve.js';
import { SecretSet } from '../masking/secret-set.js';

/**
 * Variables whose values name the user and the places of the machine (paths, the locale, the shell):
 * they show in ordinary output (a file server's paths), so they are never masked.
 */
const ORDINARY_VARIABLES = new Set([
  'PATH',
  'HOME',
  'PWD',
  'OLDPWD',
  'USER',
  'LOGNAME',
  'USERNAME',
  'HOSTNAME',
  'SHELL',
  'TERM',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SYSTEMROOT',
  'SYSTEMDRIVE',
  'WINDIR',
  'COMSPEC',
  'PATHEXT',
  'USERPROFILE',
  'HOMEDRIVE',
  'HOMEPATH',
  'APPDATA',
  'LOCALAPPDATA',
  'PROGRAMFILES',
]);

/** Whether a variable is one whose value is never masked: the list above, the locale (`LC_*`) and the XDG directories. */
export function isOrdinaryVariable(name: string): boolean {
  const upper = name.toUpperCase();
  return ORDINARY_VARIABLES.has(upper) || upper.startsWith('LC_') || /^XDG_[A-Z_]+_(HOME|DIR|DIRS)$/.test(upper);
}

/**
 * What is masked in what one server sends back, to start with: the secrets its entry resolved, and the
 * values its `${VAR}` references took from the environment (see SecretSet for the minimum length). The
 * OAuth login adds each access token as it sends it.
 */
export function serverSecrets(server: ResolvedServer): SecretSet {
  return new SecretSet(
    server.secrets,
    server.variables.filter((v) => !isOrdinaryVariable(v.name)).map((v) => v.value),
  );
}
