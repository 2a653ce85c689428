/** What one check of a token found. `skipped`: the check could not run (and says why). */
export type CheckResult = 'passed' | 'rejected' | 'expired' | 'error' | 'skipped';
export type CheckKind = 'expiry' | 'server' | 'oauth-refresh' | 'provider';

export interface Check {
  check: CheckKind;
  /** The server, provider or issuer checked; null for expiry. */
  target: string | null;
  result: CheckResult;
  /** Why, in words: never a value. */
  detail: string;
}

/** A token's overall result: `unchecked` when nothing could test it (not expired is not the same as accepted). */
export type TokenResult = 'passed' | 'rejected' | 'expired' | 'error' | 'unchecked';

export function overallResult(checks: Check[]): TokenResult {
  if (checks.some((c) => c.result === 'expired')) return 'expired';
  if (checks.some((c) => c.result === 'rejected')) return 'rejected';
  if (checks.some((c) => c.result === 'error')) return 'error';
  if (checks.some((c) => c.result === 'passed' && c.check !== 'expiry')) return 'passed';
  return 'unchecked';
}

export const TOKEN_RESULTS: readonly TokenResult[] = ['passed', 'rejected', 'expired', 'error', 'unchecked'];
