// Vault ACL policies, reduced to what the tests use: path rules with capabilities,
// a trailing `*` glob (prefix match) and `+` (one path segment), the most specific
// matching rule wins, and `deny` beats everything.

export type Capability = 'create' | 'read' | 'update' | 'delete' | 'list' | 'sudo' | 'deny';

export interface PolicyRule {
  path: string;
  capabilities: Capability[];
}

function matches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  const pSegs = body.split('/');
  const segs = path.split('/');
  if (!glob && pSegs.length !== segs.length) return false;
  if (glob && segs.length < pSegs.length) return false;
  for (let i = 0; i < pSegs.length; i++) {
    const p = pSegs[i]!;
    const s = segs[i]!;
    const last = i === pSegs.length - 1;
    if (p === '+') continue;
    if (glob && last) return s.startsWith(p);
    if (p !== s) return false;
  }
  return true;
}

/** Vault's priority, simplified: fewer wildcards, then a longer literal prefix, wins. */
function specificity(pattern: string): number {
  const wildcards = (pattern.match(/\+/g)?.length ?? 0) + (pattern.endsWith('*') ? 1 : 0);
  return pattern.replace(/[+*]/g, '').length - wildcards * 1000;
}

export function allowed(rules: PolicyRule[], path: string, capability: Capability): boolean {
  const matching = rules.filter((r) => matches(r.path, path));
  if (matching.length === 0) return false;
  if (matching.some((r) => r.capabilities.includes('deny'))) return false;
  const best = matching.reduce((a, b) => (specificity(b.path) > specificity(a.path) ? b : a));
  return best.capabilities.includes(capability);
}

/** sys/internal/ui/mounts answers only when the token may do something somewhere under the mount. */
export function hasMountAccess(rules: PolicyRule[], mountPath: string): boolean {
  return rules.some((r) => {
    if (r.capabilities.includes('deny') || r.capabilities.length === 0) return false;
    const literal = r.path.replace(/[+*].*$/, '');
    return literal.startsWith(mountPath) || mountPath.startsWith(literal);
  });
}
