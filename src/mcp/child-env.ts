import { STARTED_BY, type Starter } from '../agent/started-by.js';
import type { Env } from '../paths.js';

/**
 * What a stdio server inherits from mcp-cli's environment: enough to run programs
 * (PATH, HOME, user, shell, terminal, locale, temp dir, proxies and CA bundles),
 * and nothing else, so that e.g. MCP_CLI_ENCRYPTION_KEY or a cloud credential in
 * the parent never reaches a server that was not given it in its "env".
 */
export const INHERITED_VARIABLES = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TERM',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TMPDIR',
  'TZ',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  // Windows needs these to start most programs at all.
  'SYSTEMROOT',
  'SYSTEMDRIVE',
  'WINDIR',
  'COMSPEC',
  'PATHEXT',
  'TEMP',
  'TMP',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
  'PROGRAMFILES',
  'USERNAME',
] as const;

/**
 * The minimal inherited environment with the server's resolved `env` on top, and the mark that
 * keeps the server (and what it starts) away from the unlock session (src/agent/started-by.ts).
 */
export function childEnvironment(parent: Env, serverEnv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_VARIABLES) {
    const value = parent[name];
    // A value starting with "()" is an exported shell function: never pass those on.
    if (value !== undefined && !value.startsWith('()')) env[name] = value;
  }
  return { ...env, ...serverEnv, [STARTED_BY]: 'server' satisfies Starter };
}
