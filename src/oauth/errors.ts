import { CliError, ExitCode } from '../errors.js';

/** No usable token and no way to get one without the user: exit 4 with the command that fixes it. */
export class LoginRequiredError extends CliError {
  constructor(
    readonly server: string,
    reason: string,
  ) {
    super(`${reason}; run mcp-cli auth login ${server}`, ExitCode.authRequired, `run \`mcp-cli auth login ${server}\` in a terminal`);
  }
}

/** Removes any of the given secrets from a message that came from a remote server. */
export function scrub(message: string, secrets: (string | undefined)[]): string {
  let out = message;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}
