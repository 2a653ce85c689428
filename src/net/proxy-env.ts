type Env = Record<string, string | undefined>;

/** A variable in lower case or upper case: the lower-case one wins when both are set, as in curl. */
export function proxyVariable(env: Env, name: 'https_proxy' | 'http_proxy' | 'no_proxy'): string | undefined {
  const value = env[name] ?? env[name.toUpperCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

let installed: Env | undefined;

/** The variables this process routes its requests by, once the CLI has installed proxy routing (src/cli/main.ts). */
export function proxyRoutingEnv(): Env | undefined {
  return installed;
}

export function rememberProxyRoutingEnv(env: Env): void {
  installed = env;
}
