import type { ServerConfig } from '../config/schema.js';
import type { ResolvedServer } from '../config/resolve.js';
import { CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import { loginName } from '../oauth/target.js';
import { validateIdentifier } from '../tokens/names.js';

/**
 * A named account's login is stored as `SERVER@ACCOUNT`: where the config also has a server of that
 * name, its default login would be the same record, so the account is refused rather than shared.
 */
export function checkAccountName(config: ServerConfig, server: string, account: string | undefined): void {
  if (account === undefined) return;
  validateIdentifier('account', account);
  const stored = loginName({ name: server, account });
  if (Object.hasOwn(config.servers, stored))
    throw new CliError(
      printable(`the account '${account}' of '${server}' would be stored as '${stored}', the name of another server in ${config.location.path}`),
      1,
      'pick another account name, or rename that server',
    );
}

/** `--account` on the command line: the OAuth login to use instead of the one the entry's `account` names. */
export function withAccount(config: ServerConfig, server: ResolvedServer, account: string | undefined): ResolvedServer {
  if (account === undefined) return server;
  validateIdentifier('account', account);
  if (server.entry.transport === 'stdio')
    throw new CliError(printable(`--account picks an OAuth login, which HTTP servers (url) have; '${server.name}' is a stdio server (it has a command)`));
  checkAccountName(config, server.name, account);
  return { ...server, entry: { ...server.entry, account } };
}
