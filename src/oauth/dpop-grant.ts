import type { Discovery } from './discovery.js';
import { dpopAlgFor, dpopBinding, generateDpopKey, readDpopKey, usableAlgs, type DpopBinding, type DpopKey } from './dpop.js';
import { dpopTokenFetch } from './dpop-fetch.js';
import type { OAuthTarget } from './target.js';
import { policedFetch } from './url-policy.js';

/** A new grant's DPoP key, and the fetch that signs its token requests with it. */
export interface GrantDpop {
  binding: DpopBinding;
  key: DpopKey;
  /** A fetch for the token endpoint that sends a proof with each request (and a nonce when asked). */
  tokenFetch: typeof fetch;
}

/**
 * The DPoP key a new grant binds its tokens to, when the authorization server offers DPoP (and
 * `oauth.dpop` is not false): `reuse` (the key of the login a client credentials grant replaces) while
 * the server still accepts its algorithm, else a new key. Undefined when the grant goes without.
 */
export function dpopForGrant(target: OAuthTarget, discovery: Discovery, reuse?: DpopBinding): GrantDpop | undefined {
  const advertised = (discovery.metadata as { dpop_signing_alg_values_supported?: unknown }).dpop_signing_alg_values_supported;
  const alg = dpopAlgFor({
    server: target.name,
    issuer: discovery.issuer,
    setting: target.oauth?.dpop,
    advertised,
    resourceRequires: (discovery.resourceMetadata as { dpop_bound_access_tokens_required?: unknown } | undefined)?.dpop_bound_access_tokens_required,
  });
  if (alg === undefined) return undefined;
  const key = reuse && usableAlgs(advertised).includes(reuse.alg) ? readDpopKey(reuse.key, target.name) : generateDpopKey(alg);
  return { binding: dpopBinding(key), key, tokenFetch: dpopTokenFetch(key, policedFetch()) };
}
