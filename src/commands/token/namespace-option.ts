import { CliError } from '../../errors.js';

/** `--oauth` is shorthand for `--namespace oauth`; both together must agree. */
export function namespaceFrom(options: { namespace?: string; oauth?: boolean }): string | undefined {
  if (!options.oauth) return options.namespace;
  if (options.namespace !== undefined && options.namespace !== 'oauth')
    throw new CliError(`--oauth means namespace 'oauth', which contradicts --namespace ${options.namespace}`);
  return 'oauth';
}
