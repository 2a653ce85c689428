import { CliError } from '../errors.js';
import { printable } from '../io/terminal-text.js';
import { checkAssertion, readAssertion, refusedClaim, type WorkloadAssertion } from './assertion-source.js';
import { discover } from './discovery.js';
import { requireIssuerForCredentials } from './issuer-pin.js';
import { refusalExit, requestJwtBearer, requireJwtBearerGrant, saveSelfGranted, type SelfGrantOptions } from './jwt-bearer.js';
import type { SavedTokens } from './records.js';
import { chooseScope } from './scopes.js';
import { OAuthEndpointError } from './token-endpoint.js';
import { urlForMessage } from './url-policy.js';

/**
 * Workload identity federation (SEP-1933, RFC 7523): the machine presents a JWT its platform issued
 * (GitHub Actions, a Kubernetes service account, a file, a program, a variable) to the authorization
 * server named by `oauth.issuer`, and gets an access token; no secret of mcp-cli's is involved, and only
 * the access token is stored. The JWT is read afresh, checked for expiry and audience before it is
 * sent, and sent again only once, and only when its source gives a different one after `invalid_grant`
 * (a token rotated meanwhile): a refusal never starts a storm of requests.
 */
export async function workloadGrant(options: SelfGrantOptions): Promise<SavedTokens> {
  const { target } = options;
  const source = target.oauth?.assertion;
  if (!source) throw new CliError(`'${target.name}' uses "grant": "jwt_bearer" without oauth.assertion`);
  const discovery = await discover(target, options.resourceMetadataUrl);
  const { issuer, metadata } = discovery;
  requireIssuerForCredentials(target, issuer);
  requireJwtBearerGrant(discovery, target.name, 'JWT bearer grants (workload identity)');
  const scope = chooseScope({
    requested: options.scope,
    configured: target.oauth?.scopes,
    challenge: options.challengeScope,
    resourceMetadata: discovery.resourceMetadata,
    metadata,
    refreshable: false,
  });
  const io = { env: options.env, platform: options.platform };
  const checked = async (): Promise<WorkloadAssertion> => {
    const assertion = await readAssertion(source, io, issuer, target.name);
    checkAssertion(assertion, source, { server: target.name, issuer, tokenEndpoint: metadata.token_endpoint, now: options.now() });
    return assertion;
  };
  let assertion = await checked();
  let retry: Retry = 'none';
  for (;;) {
    try {
      const tokens = await requestJwtBearer(target, discovery, assertion.jwt, scope, options.now());
      return await saveSelfGranted(options, discovery, tokens, 'jwt_bearer', scope, { assertion: source.source });
    } catch (error) {
      if (!(error instanceof OAuthEndpointError)) throw error;
      if (error.code === 'invalid_grant' && retry === 'none') {
        const fresh = await checked();
        retry = fresh.jwt === assertion.jwt ? 'same' : 'refused-again';
        if (retry === 'refused-again') {
          assertion = fresh;
          continue;
        }
      }
      throw refusal(error, assertion, target.name, issuer, retry);
    }
  }
}

/** After invalid_grant the source is read once more: it gave the same JWT (not sent again), or a fresh one that was refused too. */
type Retry = 'none' | 'same' | 'refused-again';

/** A refused JWT in words: who refused it, what it said, the claim it most likely means and what to check. */
function refusal(error: OAuthEndpointError, assertion: WorkloadAssertion, server: string, issuer: string, retry: Retry): CliError {
  const claim = error.code === 'invalid_grant' ? refusedClaim(error.description, assertion.claims) : undefined;
  const again = retry === 'refused-again' ? ' (a fresh JWT from the same source was refused too)' : retry === 'same' ? ' (its source has no fresher one)' : '';
  const hint =
    error.code === 'invalid_client' || error.code === 'unauthorized_client'
      ? `check oauth.clientId of '${server}' and that the authorization server lets it use JWT bearer grants`
      : error.code === 'invalid_scope'
        ? `check oauth.scopes of '${server}' against what the authorization server grants this workload`
        : claim
          ? `check ${claim} against what the authorization server trusts for this workload`
          : `compare the JWT's claims (iss ${printable(String(assertion.claims.iss ?? 'none'))}, sub ${printable(String(assertion.claims.sub ?? 'none'))}) with what the authorization server trusts`;
  return new CliError(
    `the authorization server ${urlForMessage(issuer)} refused the JWT from ${assertion.from} for '${server}': ${error.message}${again}`,
    refusalExit(error.code),
    hint,
  );
}
