import type { TokenReference } from './references.js';
import type { TokenType } from '../tokens/model.js';

const BASIC_FIELDS = new Set(['username', 'password', 'basic']);

/**
 * The type a missing token needs, as far as the reference tells: a field of basic credentials, a
 * client certificate in `tls`, the namespace's own type (`api-key`, `provider`, `bearer`,
 * `generic`), else a bearer token in a header or the URL and a generic one anywhere else.
 */
export function typeForReference(ref: TokenReference, field: string): TokenType {
  if (ref.field !== undefined && BASIC_FIELDS.has(ref.field)) return 'basic';
  if (field.startsWith('tls.')) return 'client-cert';
  const namespace = ref.namespace.toLowerCase();
  if (namespace === 'api-key' || namespace === 'provider') return 'api-key';
  if (namespace === 'bearer' || namespace === 'generic') return namespace;
  return field === 'url' || field.startsWith('headers.') ? 'bearer' : 'generic';
}

/** The `token set` command that stores the token a reference names, with the options its type needs. */
export function setCommand(ref: TokenReference, type: TokenType): string {
  const needs = type === 'basic' ? ' --username USER' : type === 'client-cert' ? ' --cert FILE --key FILE' : '';
  return `mcp-cli token set ${ref.name} --type ${type}${needs} --namespace ${ref.namespace}`;
}
