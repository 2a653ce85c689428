import { CliError } from '../errors.js';

const MAX_LENGTH = 128;
// Path separators would escape file and Vault paths; ':' separates namespace and
// name in keychain accounts and in ${TOKEN:ns:name}; '{', '}' and '$' would break references.
const FORBIDDEN = /[/\\:{}$\s]/u;
const CONTROL = /[\p{Cc}\p{Cf}]/u;

/** Throws a CliError when `value` cannot be used as a token name or namespace. */
export function validateIdentifier(kind: 'name' | 'namespace' | 'account', value: string): string {
  const label = kind === 'name' ? 'token name' : kind === 'account' ? 'account name' : 'namespace';
  if (value.length === 0) throw new CliError(`${label} must not be empty`);
  if (CONTROL.test(value)) throw new CliError(`invalid ${label}: it contains a control character`);
  const shown = JSON.stringify(value);
  if ([...value].length > MAX_LENGTH) throw new CliError(`invalid ${label} ${shown.slice(0, 40)}…: longer than ${MAX_LENGTH} characters`);
  if (value === '.' || value === '..') throw new CliError(`invalid ${label} ${shown}`);
  const bad = FORBIDDEN.exec(value);
  if (bad) {
    const what = /\s/u.test(bad[0]) ? 'whitespace' : `'${bad[0]}'`;
    throw new CliError(
      `invalid ${label} ${shown}: ${what} is not allowed`,
      1,
      'use letters of any script (café, 東京), digits and punctuation such as . _ - @ +; not whitespace or / \\ : { } $',
    );
  }
  return value;
}
