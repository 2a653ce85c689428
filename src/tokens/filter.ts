import { isExpired, type TokenMetadata, type TokenType } from './model.js';
import { TOKEN_TYPES } from './model.js';

/** The list command's type switches: `--oauth/--no-oauth`, `--bearer/--no-bearer`, `--api-keys/--no-api-keys`... */
export interface TypeSwitches {
  oauth?: boolean;
  bearer?: boolean;
  apiKeys?: boolean;
  basic?: boolean;
  generic?: boolean;
  clientCerts?: boolean;
}

const SWITCH_TYPES: Record<keyof TypeSwitches, TokenType> = {
  oauth: 'oauth',
  bearer: 'bearer',
  apiKeys: 'api-key',
  basic: 'basic',
  generic: 'generic',
  clientCerts: 'client-cert',
};

/**
 * If any switch is on, only those types are shown; each switch turned off removes its type.
 * So `--no-oauth --api-keys` shows API keys only, and `--no-oauth` alone everything but OAuth.
 * Undefined means no type filter.
 */
export function typesFromSwitches(switches: TypeSwitches): Set<TokenType> | undefined {
  const entries = (Object.keys(SWITCH_TYPES) as (keyof TypeSwitches)[]).filter((k) => switches[k] !== undefined);
  if (entries.length === 0) return undefined;
  const positives = entries.filter((k) => switches[k] === true).map((k) => SWITCH_TYPES[k]);
  const types = new Set<TokenType>(positives.length > 0 ? positives : TOKEN_TYPES);
  for (const k of entries) if (switches[k] === false) types.delete(SWITCH_TYPES[k]);
  return types;
}

export interface TokenFilter {
  namespace?: string;
  types?: ReadonlySet<TokenType>;
  /** Only tokens already expired. */
  expired?: boolean;
  /** Only tokens expired or expiring within this many milliseconds. */
  expiringWithinMs?: number;
}

export function matchesFilter(metadata: TokenMetadata, filter: TokenFilter, now: Date): boolean {
  if (filter.namespace !== undefined && metadata.namespace !== filter.namespace) return false;
  if (filter.types && !filter.types.has(metadata.type)) return false;
  if (filter.expired && !isExpired(metadata, now)) return false;
  if (filter.expiringWithinMs !== undefined) {
    if (metadata.expiresAt === undefined) return false;
    if (Date.parse(metadata.expiresAt) > now.getTime() + filter.expiringWithinMs) return false;
  }
  return true;
}
