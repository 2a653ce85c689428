import { CliError, ExitCode } from '../errors.js';

/** No usable token and no way to get one without the user: exit 4 with the command that fixes it. */
export class LoginRequiredError extends CliError {
  readonly server: string;

  constructor(
    /** The server, or the server and the account whose login is missing. */
    login: string | { name: string; account?: string },
    reason: string,
    /** The scopes the new login must ask for (a step-up). */
    scope?: string,
  ) {
    const { name, account } = typeof login === 'string' ? { name: login, account: undefined } : login;
    const command = `mcp-cli auth login ${name}${account !== undefined ? ` --account ${shellWord(account)}` : ''}${scope !== undefined ? ` --scope ${shellWord(scope)}` : ''}`;
    super(`${reason}; run ${command}`, ExitCode.authRequired, `run \`${command}\` in a terminal`);
    this.server = name;
  }
}

/** A word for a command line shown to the user: single-quoted unless it is plain. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Removes any of the given secrets from a message that came from a remote server, as written
 * and as a form or a URL encodes it (a server may echo the request), and drops the raw body
 * that the SDK appends to an unparsable error answer. Scrub before cutting a message short: a
 * secret cut in two is no longer found.
 */
export function scrub(message: string, secrets: (string | undefined)[]): string {
  let out = message.replace(/\.?\s*Raw body:[\s\S]*$/, ' (its answer is not shown)');
  const spellings = secrets.flatMap((s) => (s ? [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2)] : []));
  for (const s of [...new Set(spellings)].sort((a, b) => b.length - a.length)) out = out.split(s).join('[redacted]');
  return out;
}
