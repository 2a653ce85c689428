import { CliError } from '../errors.js';
import type { TokenKey } from './model.js';

/**
 * mcp-cli keeps records of its own in the token store (the audit log's anchor), in this
 * namespace. Token commands neither list, export, migrate nor clear them, and refuse the
 * namespace as user input.
 */
export const RESERVED_NAMESPACE = '.mcp-cli';

export const isReserved = (key: Pick<TokenKey, 'namespace'>): boolean => key.namespace === RESERVED_NAMESPACE;

export function refuseReserved(namespace: string | undefined): void {
  if (namespace === RESERVED_NAMESPACE)
    throw new CliError(`namespace '${RESERVED_NAMESPACE}' is reserved for mcp-cli's own records`, 1, 'choose another namespace');
}
