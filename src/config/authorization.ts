import type { ServerEntry } from './schema.js';

// Authentication schemes (the IANA HTTP Authentication Scheme Registry's usual ones, and "Token").
const SCHEMES = new Set(['basic', 'bearer', 'digest', 'negotiate', 'token', 'apikey', 'dpop']);

/**
 * Why an entry's Authorization header sends no credentials, as written in the file: empty, or a
 * scheme alone. An unquoted heredoc (`<<EOF`) lets the shell replace `${TOKEN:...}` with nothing.
 */
export function emptyAuthorization(entry: ServerEntry): string | undefined {
  if (entry.transport === 'stdio') return undefined;
  for (const [header, value] of Object.entries(entry.headers)) {
    if (header.toLowerCase() !== 'authorization') continue;
    const text = value.trim();
    if (text === '') return `its ${header} header is empty`;
    if (SCHEMES.has(text.toLowerCase())) return `its ${header} header is only "${text}", with no credentials`;
  }
  return undefined;
}

/** The warning for one server, with the usual cause. */
export function emptyAuthorizationWarning(server: string, why: string): string {
  return `server '${server}': ${why} (did the shell eat a \${TOKEN:...} reference? quote the heredoc: <<'EOF')`;
}
