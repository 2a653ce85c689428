import type { SelfGrantOptions } from './jwt-bearer.js';
import type { SavedTokens } from './records.js';

/**
 * A new grant for a server that gets its tokens by itself (target.ts, grantsItself): a workload's JWT
 * (`"grant": "jwt_bearer"`), the enterprise identity provider (`"idp": true`), or client credentials.
 */
export async function selfGrant(options: SelfGrantOptions): Promise<SavedTokens> {
  const oauth = options.target.oauth;
  if (oauth?.grant === 'jwt_bearer') return (await import('./workload.js')).workloadGrant(options);
  if (oauth?.idp === true) return (await import('./idp/exchange.js')).enterpriseGrant(options);
  return (await import('./client-credentials.js')).clientCredentialsGrant(options);
}
