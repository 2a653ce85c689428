/** `run NAME`, with at most `--no-masking` and `--config PATH` besides. */
export interface DirectRun {
  server: string;
  config?: string;
  masking?: boolean;
}

/**
 * Recognises the plain forms of `mcp-cli run NAME`, which MCP clients start every time they start:
 * they go straight to the command, without building the whole command table. Anything else
 * (`--help`, other or repeated options, `=`-joined ones, `--token-backend`) is left to the full
 * parser, which gives the same result more slowly.
 */
export function directRun(args: string[]): DirectRun | undefined {
  let i = 0;
  let config: string | undefined;
  const takeConfig = () => {
    if (config !== undefined || i + 1 >= args.length || args[i + 1]!.startsWith('-')) return false;
    config = args[++i];
    return true;
  };
  if (args[i] === '--config') {
    if (!takeConfig()) return undefined;
    i++;
  }
  if (args[i] !== 'run') return undefined;
  let server: string | undefined;
  let masking = true;
  for (i++; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--no-masking' && masking) masking = false;
    else if (arg === '--config') {
      if (!takeConfig()) return undefined;
    } else if (!arg.startsWith('-') && server === undefined) server = arg;
    else return undefined;
  }
  if (server === undefined) return undefined;
  return { server, ...(config !== undefined ? { config } : {}), ...(masking ? {} : { masking: false }) };
}
