import { networkProblem } from '../network-failure.js';
import type { Check } from './report.js';

/** A provider whose API keys `token validate` can test: a known one with another base URL, or a gateway speaking a known one's API. */
export interface ProviderEndpoint {
  baseUrl?: string;
  /** Which API the endpoint speaks: `openai`, `anthropic`, `google` (default: the provider's own). */
  api?: string;
}

/** The APIs whose keys can be tested, each by its cheapest authenticated request, the key in a header. */
export type ProviderApi = 'openai' | 'anthropic' | 'google';

interface ApiSpec {
  /** As the provider's own SDK spells the base URL, so a gateway's documented URL can be pasted. */
  baseUrl: string;
  path: string;
  headers(key: string, details: Record<string, string>): Record<string, string>;
}

const APIS: Record<ProviderApi, ApiSpec> = {
  openai: {
    baseUrl: 'https://api.openai.com/v1',
    path: '/models',
    headers: (key, details) => ({
      authorization: `Bearer ${key}`,
      ...(details.organization ? { 'openai-organization': details.organization } : {}),
      ...(details.project ? { 'openai-project': details.project } : {}),
    }),
  },
  anthropic: { baseUrl: 'https://api.anthropic.com', path: '/v1/models?limit=1', headers: (key) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' }) },
  google: { baseUrl: 'https://generativelanguage.googleapis.com', path: '/v1beta/models?pageSize=1', headers: (key) => ({ 'x-goog-api-key': key }) },
};

/** Providers known by name (a token's `provider`, else its name). */
const KNOWN: Record<string, { api: ProviderApi; baseUrl?: string }> = {
  openai: { api: 'openai' },
  anthropic: { api: 'anthropic' },
  google: { api: 'google' },
  gemini: { api: 'google' },
  mistral: { api: 'openai', baseUrl: 'https://api.mistral.ai/v1' },
};

export const KNOWN_PROVIDERS = Object.keys(KNOWN);

export interface ProviderTarget {
  provider: string;
  api: ProviderApi;
  baseUrl: string;
}

/** Where an API key of this provider is tested: `tokenValidation.providers` first, then the built-in table. Undefined: unknown provider. */
export function providerTarget(provider: string, configured: Record<string, ProviderEndpoint>): ProviderTarget | undefined {
  const name = provider.toLowerCase();
  const own = Object.hasOwn(configured, name) ? configured[name] : undefined;
  const known = Object.hasOwn(KNOWN, name) ? KNOWN[name] : undefined;
  const api = (own?.api as ProviderApi | undefined) ?? known?.api;
  if (!api) return undefined;
  return { provider: name, api, baseUrl: own?.baseUrl ?? known?.baseUrl ?? APIS[api].baseUrl };
}

/** Google answers a bad key with 400 and reason API_KEY_INVALID rather than 401. */
async function googleRejects(response: Response): Promise<boolean> {
  try {
    const body = (await response.json()) as { error?: { details?: { reason?: string }[] } };
    return body.error?.details?.some((d) => d.reason === 'API_KEY_INVALID') ?? false;
  } catch {
    return false;
  }
}

/**
 * One cheap authenticated request with the key. Redirects are not followed, so the key is never
 * sent anywhere but the configured origin; nothing the provider answers is echoed.
 */
export async function checkProviderKey(
  target: ProviderTarget,
  key: string,
  details: Record<string, string>,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
): Promise<Check> {
  const spec = APIS[target.api];
  const url = new URL(target.baseUrl.replace(/\/+$/, '') + spec.path);
  const where = `${url.origin}${url.pathname}`;
  const result = (r: Check['result'], detail: string): Check => ({ check: 'provider', target: target.provider, result: r, detail });
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: spec.headers(key, details), redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return result('error', `GET ${where}: ${networkProblem(error, url, timeoutMs) ?? (error as Error).message}`);
  }
  const status = response.status;
  const rejected = status === 401 || status === 403 || (status === 400 && target.api === 'google' && (await googleRejects(response)));
  await response.body?.cancel().catch(() => undefined);
  if (response.ok) return result('passed', `GET ${where} accepted it (HTTP ${status})`);
  if (rejected) return result('rejected', `GET ${where} rejected it (HTTP ${status})`);
  if (status >= 300 && status < 400)
    return result(
      'error',
      `GET ${where} redirected (HTTP ${status}); not followed, so the key went nowhere else: set tokenValidation.providers.${target.provider}.baseUrl`,
    );
  if (status === 429) return result('error', `GET ${where} answered HTTP 429 (rate limited or out of quota): the key could not be judged`);
  return result('error', `GET ${where} answered HTTP ${status}`);
}
