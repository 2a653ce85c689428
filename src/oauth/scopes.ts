import type { AuthorizationServerMetadata, OAuthProtectedResourceMetadata } from '@modelcontextprotocol/client';

/** A space-separated scope string as a list, without empty entries or repeats. */
export function scopeList(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(/\s+/).filter((s) => s !== ''))];
}

/** The scopes of both, in order, each once; undefined when there are none. */
export function scopeUnion(a: string | undefined, b: string | undefined): string | undefined {
  return scopeList(`${a ?? ''} ${b ?? ''}`).join(' ') || undefined;
}

/** Whether every scope of `wanted` is among `held`. */
export function scopesHeld(held: string | undefined, wanted: string | undefined): boolean {
  const have = new Set(scopeList(held));
  return scopeList(wanted).every((s) => have.has(s));
}

export interface ScopeSources {
  /** `--scope`, or the union a step-up asks for. */
  requested?: string;
  /** `oauth.scopes` of the server's entry. */
  configured?: string[];
  /** The `scope` of the server's 401 (WWW-Authenticate). */
  challenge?: string;
  resourceMetadata?: OAuthProtectedResourceMetadata;
  metadata: AuthorizationServerMetadata;
  /** Whether the grant can bring a refresh token (not client credentials, which need none). */
  refreshable: boolean;
}

/**
 * The scopes to ask for, in the MCP spec's order: what the user set (`--scope`, `oauth.scopes`),
 * else the scope of the 401, else the protected resource metadata's `scopes_supported`. When the
 * user set none and the authorization server lists `offline_access`, it is asked for too, so that
 * a refresh token may come (the server still decides whether one does).
 */
export function chooseScope(sources: ScopeSources): string | undefined {
  const set = sources.requested ?? (sources.configured?.length ? sources.configured.join(' ') : undefined);
  if (set !== undefined) return scopeList(set).join(' ') || undefined;
  const base = sources.challenge ?? sources.resourceMetadata?.scopes_supported?.join(' ');
  const offline = sources.refreshable && sources.metadata.scopes_supported?.includes('offline_access') ? 'offline_access' : undefined;
  return scopeUnion(base, offline);
}
