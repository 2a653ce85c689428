/** `token get NAME --show-value`, with at most `--namespace NS` or `--oauth` besides. */
export interface DirectGet {
  name: string;
  namespace?: string;
  oauth?: boolean;
}

/**
 * Recognises the plain forms of `mcp-cli token get NAME --show-value`, which scripts run inside
 * `$(...)`, often many times over: they go straight to the command, without building the whole
 * command table. Anything else (other options, `--help`, repeated or `=`-joined options, global
 * options) is left to the full parser, which gives the same result more slowly.
 */
export function directGet(args: string[]): DirectGet | undefined {
  if (args[0] !== 'token' || args[1] !== 'get') return undefined;
  let name: string | undefined;
  let namespace: string | undefined;
  let oauth = false;
  let showValue = false;
  for (let i = 2; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--show-value' && !showValue) showValue = true;
    else if (arg === '--oauth' && !oauth) oauth = true;
    else if (arg === '--namespace' && namespace === undefined && i + 1 < args.length && !args[i + 1]!.startsWith('-')) namespace = args[++i];
    else if (!arg.startsWith('-') && name === undefined) name = arg;
    else return undefined;
  }
  if (!showValue || name === undefined) return undefined;
  return { name, ...(namespace !== undefined ? { namespace } : {}), ...(oauth ? { oauth } : {}) };
}
