import { CliError, ExitCode } from '../../errors.js';
import { discover, type Discovery } from '../discovery.js';
import { requireIssuerForCredentials } from '../issuer-pin.js';
import { refusalExit, requestJwtBearer, requireJwtBearerGrant, saveSelfGranted, type SelfGrantOptions } from '../jwt-bearer.js';
import type { SavedTokens } from '../records.js';
import { chooseScope } from '../scopes.js';
import { OAuthEndpointError, postForm } from '../token-endpoint.js';
import { urlForMessage } from '../url-policy.js';
import { idpMetadata, TOKEN_EXCHANGE_GRANT, type IdpMetadata } from './metadata.js';
import { freshIdpSession, idpClientAuth, idpLoginRequired, type IdpSession } from './session.js';
import type { IdpSettings } from '../../config/schema.js';

const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
/** The identity assertion JWT authorization grant (draft-ietf-oauth-identity-assertion-authz-grant). */
export const ID_JAG_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';

/**
 * Enterprise-managed authorization (SEP-990, ID-JAG): the ID token of the user's identity provider
 * login is exchanged there (RFC 8693) for an identity assertion grant for this server's authorization
 * server and resource, which that server takes as a jwt-bearer grant (RFC 7523) for an access token.
 * No browser per server: the one IdP login (`mcp-cli auth idp login`) serves them all. Only the
 * access token is stored for the server; the grant itself is used once and never stored.
 */
export async function enterpriseGrant(options: SelfGrantOptions): Promise<SavedTokens> {
  const { target, manager } = options;
  const settings = target.idp;
  if (!settings) throw new CliError(`'${target.name}' has "idp": true, but your own config names no identity provider ("idp" block)`);
  const discovery = await discover(target, options.resourceMetadataUrl);
  requireIssuerForCredentials(target, discovery.issuer);
  requireJwtBearerGrant(discovery, target.name, 'identity assertion grants (jwt-bearer)');
  const metadata = await idpMetadata(settings.issuer);
  const session = await freshIdpSession(manager, settings, metadata, options.now());
  const scope = chooseScope({
    requested: options.scope,
    configured: target.oauth?.scopes,
    challenge: options.challengeScope,
    resourceMetadata: discovery.resourceMetadata,
    metadata: discovery.metadata,
    refreshable: false,
  });
  const grant = await identityAssertionGrant(settings, metadata, session, discovery, scope, target.name);
  try {
    const tokens = await requestJwtBearer(target, discovery, grant, scope, options.now());
    return await saveSelfGranted(options, discovery, tokens, 'id_jag', scope, { idp: settings.issuer }, { idpIssuer: settings.issuer });
  } catch (error) {
    if (!(error instanceof OAuthEndpointError)) throw error;
    throw new CliError(
      `the authorization server ${urlForMessage(discovery.issuer)} of '${target.name}' refused the identity assertion grant from ${urlForMessage(settings.issuer)}: ${error.message}`,
      refusalExit(error.code),
      error.code === 'invalid_client'
        ? `check oauth.clientId and oauth.clientSecret of '${target.name}'`
        : `ask the administrators whether ${urlForMessage(discovery.issuer)} trusts grants of ${urlForMessage(settings.issuer)} for this client`,
    );
  }
}

/** RFC 8693 at the identity provider: the ID token for an ID-JAG whose audience is the server's authorization server. */
async function identityAssertionGrant(
  settings: IdpSettings,
  metadata: IdpMetadata,
  session: IdpSession,
  discovery: Discovery,
  scope: string | undefined,
  server: string,
): Promise<string> {
  const params = new URLSearchParams({
    grant_type: TOKEN_EXCHANGE_GRANT,
    requested_token_type: ID_JAG_TYPE,
    subject_token: session.idToken,
    subject_token_type: ID_TOKEN_TYPE,
    audience: discovery.issuer,
  });
  if (discovery.resource !== undefined) params.set('resource', discovery.resource);
  if (scope) params.set('scope', scope);
  const headers = await idpClientAuth(settings, metadata, params);
  let body: Record<string, unknown>;
  try {
    body = (await postForm(metadata.token_endpoint, params, headers, [session.idToken, session.refreshToken, settings.clientSecret])) as Record<
      string,
      unknown
    >;
  } catch (error) {
    if (!(error instanceof OAuthEndpointError)) throw error;
    if (error.code === 'invalid_grant')
      throw idpLoginRequired(`your identity provider ${urlForMessage(settings.issuer)} no longer accepts your login (${error.message})`);
    throw new CliError(
      `your identity provider ${urlForMessage(settings.issuer)} refused a grant for '${server}' (audience ${urlForMessage(discovery.issuer)}): ${error.message}`,
      error.code === 'access_denied' || error.code === 'unauthorized_client' ? ExitCode.authRequired : ExitCode.failure,
      'ask the administrators of your identity provider to allow this server for you',
    );
  }
  if (body.issued_token_type !== ID_JAG_TYPE || typeof body.access_token !== 'string' || body.access_token === '')
    throw new CliError(
      `your identity provider ${urlForMessage(settings.issuer)} answered the exchange for '${server}' without an identity assertion grant (issued_token_type ${JSON.stringify(String(body.issued_token_type ?? 'missing')).slice(0, 80)})`,
    );
  return body.access_token;
}
