import { credentialVariable } from '../credential-variables.js';
import { printable } from '../io/terminal-text.js';
import { variableDestination } from './destination.js';
import { describeReference, mayHoldReference, parseTemplate, type Reference, type Segment } from './references.js';

/**
 * What a config file would make mcp-cli do, in words, before the user approves it: each server's
 * URL or command, the tokens and environment variables it references (and where), and the
 * tokenStorage, tokenValidation and OAuth settings. Works on the raw JSON, so a file that would fail
 * validation can still be described; every string from the file is made safe for a terminal.
 */
export function summarizeConfig(data: unknown): string[] {
  const lines: string[] = [];
  const root = isObject(data) ? data : {};
  const servers = isObject(root.mcpServers) ? root.mcpServers : {};
  const names = Object.keys(servers);
  if (names.length === 0) lines.push('no servers (mcpServers is empty or missing)');
  for (const name of names) lines.push(...describeServer(name, servers[name]));
  if (root.tokenStorage !== undefined)
    lines.push(
      `token storage: ${settingsText(root.tokenStorage)}${relaxesTls(root.tokenStorage) ? '  (turns TLS verification off)' : ''}${logsIn(root.tokenStorage) ? '  (logs in to this Vault with your secret_id or the JWT in the file named)' : ''}`,
    );
  if (root.tokenValidation !== undefined) lines.push(`token validation: ${settingsText(root.tokenValidation)}  (API keys are sent to these URLs)`);
  if (root.oauth !== undefined) lines.push(`OAuth logins: ${settingsText(root.oauth)}  (the client ID shown to authorization servers)`);
  if (root.idp !== undefined)
    lines.push(`enterprise identity provider: ${settingsText(root.idp)}  (not used from this file: mcp-cli takes it from your own config directory only)`);
  return lines.map(printable);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describeServer(name: string, raw: unknown): string[] {
  if (!isObject(raw)) return [`server ${JSON.stringify(name)}: not an object`];
  const target =
    typeof raw.command === 'string'
      ? `starts the command ${[raw.command, ...(Array.isArray(raw.args) ? raw.args.map(String) : [])].map(quoteWord).join(' ')}${typeof raw.cwd === 'string' ? ` in ${quoteWord(raw.cwd)}` : ''}`
      : typeof raw.url === 'string'
        ? `connects to ${quoteWord(raw.url)}`
        : 'has neither a command nor a url';
  const lines = [`server ${JSON.stringify(name)}: ${target}`];
  const uses = new Map<string, Use>();
  const parsed = new Map<string, Segment[]>();
  let malformed = 0;
  walkStrings(raw, '', (value, field) => {
    if (!mayHoldReference(value)) return;
    try {
      const segments = parseTemplate(value);
      parsed.set(field, segments);
      for (const segment of segments) if (segment.kind !== 'text') addUse(uses, describeUse(segment), field);
    } catch {
      malformed++;
    }
  });
  for (const [what, use] of uses) lines.push(`  uses ${what} in ${use.fields.join(', ')}${use.note}`);
  lines.push(...refusedDestinations(parsed, typeof raw.command === 'string' ? raw.command : undefined));
  if (malformed > 0) lines.push(`  has ${malformed} malformed reference${malformed === 1 ? '' : 's'}`);
  if (isObject(raw.env)) {
    const literal = Object.entries(raw.env).filter(([, v]) => typeof v === 'string' && !v.includes('${'));
    if (literal.length > 0) lines.push(`  sets ${literal.map(([k]) => quoteKey(k)).join(', ')} in its environment`);
  }
  if (isObject(raw.oauth)) {
    lines.push(`  logs in with OAuth: ${settingsText(raw.oauth)}`);
    if (isObject(raw.oauth.assertion)) lines.push(`  ${assertionText(raw.oauth.assertion)}`);
    if (raw.oauth.idp === true)
      lines.push('  logs in through your enterprise identity provider: your ID token is exchanged for a grant to its authorization server');
  }
  return lines;
}

/** The variables that would decide where the server's stored token goes, which mcp-cli refuses (src/config/destination.ts). */
function refusedDestinations(parsed: Map<string, Segment[]>, command: string | undefined): string[] {
  const carriesToken = [...parsed.values()].some((segments) => segments.some((s) => s.kind === 'token'));
  if (!carriesToken) return [];
  return [...parsed].flatMap(([field, segments]) => {
    const found = variableDestination(field, segments, command);
    const decides = found?.kind === 'connects' ? 'where this server connects' : 'which program runs';
    return found ? [`  refused: ${describeReference(found.variable)} in ${field} decides ${decides}, and this server carries a stored token`] : [];
  });
}

/** What a workload assertion source makes mcp-cli read or run, in words. */
function assertionText(assertion: Record<string, unknown>): string {
  const text = (value: unknown) => (typeof value === 'string' ? quoteWord(value) : '(not set)');
  switch (assertion.source) {
    case 'command': {
      const args = Array.isArray(assertion.args) ? assertion.args.map((a) => quoteWord(String(a))) : [];
      return `starts the command ${[text(assertion.command), ...args].join(' ')} and presents what it prints as its JWT to the authorization server`;
    }
    case 'file':
      return `presents the JWT in the file ${text(assertion.path)} to the authorization server`;
    case 'kubernetes':
      return `presents the pod's service account token${assertion.path !== undefined ? ` in ${text(assertion.path)}` : ''} to the authorization server`;
    case 'github-actions':
      return `asks GitHub Actions for an OIDC token${assertion.audience !== undefined ? ` for the audience ${text(assertion.audience)}` : ''} and presents it to the authorization server`;
    case 'env':
      return `presents the JWT in your environment variable ${text(assertion.variable)} to the authorization server`;
    default:
      return 'names an assertion source mcp-cli does not know';
  }
}

/** One thing a server uses, the fields it is used in, and what that means when it is not plain. */
interface Use {
  fields: string[];
  note: string;
}

function describeUse(reference: Reference): { what: string; note: string } {
  const what = describeReference(reference);
  if (reference.kind === 'token') return { what: `the stored token ${what}`, note: '' };
  if (credentialVariable(reference.variable))
    return { what: `mcp-cli's own credential ${what}`, note: ': refused, so nothing of this server is started or contacted' };
  return { what: `your environment variable ${what}`, note: ': its value in your environment goes to this server' };
}

function addUse(uses: Map<string, Use>, { what, note }: { what: string; note: string }, field: string): void {
  const use = uses.get(what) ?? { fields: [], note };
  if (!use.fields.includes(field)) use.fields.push(field);
  uses.set(what, use);
}

function walkStrings(value: unknown, path: string, visit: (value: string, path: string) => void): void {
  if (typeof value === 'string') visit(value, path || '(value)');
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}[${i}]`, visit));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) walkStrings(v, path ? `${path}.${quoteKey(k)}` : quoteKey(k), visit);
}

// Every string from the file is shown either as a plain word or quoted, so that no newline or
// control character in it can fake a line of the summary.
const quoteWord = (word: string) => (/^[\w@%+=:,./?&#~-]+$/.test(word) ? word : JSON.stringify(word));
const quoteKey = (key: string) => (/^[\w-]+$/.test(key) ? key : JSON.stringify(key));

/** A settings block as `key value` pairs, secrets aside: a client secret is shown only as set. */
function settingsText(value: unknown): string {
  const parts: string[] = [];
  walkLeaves(value, '', (leaf, path) =>
    parts.push(
      `${path} ${/secret|key$/i.test(path) && !/File$/.test(path) && typeof leaf === 'string' && !leaf.startsWith('${') ? '(set)' : JSON.stringify(leaf)}`,
    ),
  );
  return parts.join(', ') || '(empty)';
}

function walkLeaves(value: unknown, path: string, visit: (leaf: unknown, path: string) => void): void {
  if (isObject(value)) for (const [k, v] of Object.entries(value)) walkLeaves(v, path ? `${path}.${quoteKey(k)}` : quoteKey(k), visit);
  else visit(value, path || '(value)');
}

function logsIn(storage: unknown): boolean {
  return isObject(storage) && isObject(storage.vault) && isObject(storage.vault.auth) && storage.vault.auth.method !== 'token';
}

function relaxesTls(storage: unknown): boolean {
  return isObject(storage) && isObject(storage.vault) && storage.vault.tlsVerify === false;
}
