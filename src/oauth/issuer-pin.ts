import { CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import type { OAuthTarget } from './target.js';
import { urlForMessage } from './url-policy.js';

/**
 * A client secret or private key from the config, a workload's JWT, or an identity assertion grant
 * goes only to the authorization server that `oauth.issuer` names. Without one it would go to whichever server the MCP server names (under
 * client credentials with no person watching), so the login stops before anything is sent, and
 * says which issuer the server named, for the user to confirm in the config.
 */
export function requireIssuerForCredentials(target: OAuthTarget, issuer: string): void {
  const oauth = target.oauth;
  if (oauth === undefined || oauth.issuer !== undefined) return;
  const credential =
    oauth.privateKey !== undefined
      ? 'a private key (oauth.privateKey)'
      : oauth.clientSecret !== undefined
        ? 'a client secret (oauth.clientSecret)'
        : oauth.assertion !== undefined
          ? 'a workload JWT (oauth.assertion)'
          : oauth.idp === true
            ? 'grants from your identity provider (oauth.idp)'
            : undefined;
  if (credential === undefined) return;
  throw new CliError(
    `'${target.name}' has ${credential} but no oauth.issuer naming the authorization server it belongs to; nothing was sent to ${urlForMessage(issuer)}, the one the server names`,
    1,
    printable(
      `if ${oauth.clientId !== undefined ? `the client '${oauth.clientId}' is registered with ${issuer}` : `${issuer} is the authorization server that trusts this workload`}, add "issuer": ${JSON.stringify(issuer)} to the oauth block of '${target.name}'`,
    ),
  );
}
