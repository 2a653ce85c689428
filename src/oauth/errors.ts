import { CliError, ExitCode } from '../errors.js';

/** No usable token and no way to get one without the user: exit 4 with the command that fixes it. */
export class LoginRequiredError extends CliError {
  constructor(
    readonly server: string,
    reason: string,
    /** The scopes the new login must ask for (a step-up). */
    scope?: string,
  ) {
    const command = `mcp-cli auth login ${server}${scope !== undefined ? ` --scope ${shellWord(scope)}` : ''}`;
    super(`${reason}; run ${command}`, ExitCode.authRequired, `run \`${command}\` in a terminal`);
  }
}

/** A word for a command line shown to the user: single-quoted unless it is plain. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Removes any of the given secrets from a message that came from a remote server. */
export function scrub(message: string, secrets: (string | undefined)[]): string {
  let out = message;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}
