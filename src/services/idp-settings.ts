import type { Ctx } from '../context.js';
import { parseJsonText } from '../config/json.js';
import { resolveServers } from '../config/resolve.js';
import { parseServerConfig, type IdpSettings } from '../config/schema.js';
import { CliError } from '../errors.js';
import { warn } from '../io/notices.js';
import { printable } from '../io/terminal-text.js';
import { tildePath } from '../paths.js';
import { approvedAlready, configDirectoryFile, locatedConfigFile } from './config-access.js';
import { storeLookup } from './factory.js';

/**
 * The enterprise identity provider (the top-level `idp` block), resolved, from your own config
 * directory's server_config.json only (`~/.config/mcp-cli`, or a config directory you approved as a
 * whole): the ID token of your company login goes to the provider named there, and no project file
 * can name another. An `idp` block in any other file is not used, and that is said. Undefined when
 * your config sets none.
 */
export async function ownIdpSettings(ctx: Ctx): Promise<IdpSettings | undefined> {
  const file = configDirectoryFile(ctx);
  const located = locatedConfigFile(ctx);
  if (located && located !== file && hasIdpBlock(located.text))
    warn(
      ctx,
      `the idp block of ${printable(tildePath(located.location.path, ctx.home))} is not used: mcp-cli takes the identity provider from your own config only`,
    );
  if (!file || !(file.own || (file.relocated !== undefined && approvedAlready(ctx, file)))) return undefined;
  const idp = parseServerConfig(parseJsonText(file.text, file.location.path), file.location).idp;
  if (!idp) return undefined;
  // Resolved as a server entry's oauth block is: ${TOKEN:...} and ${VAR} work in every field, and errors name the field.
  const entry = {
    transport: 'streamable-http' as const,
    url: idp.issuer,
    headers: {},
    oauth: { clientId: idp.clientId, ...(idp.clientSecret !== undefined ? { clientSecret: idp.clientSecret } : {}) },
  };
  const [resolved] = await resolveServers({ idp: entry }, ['idp'], {
    lookup: storeLookup(ctx),
    env: ctx.env,
    now: ctx.now(),
    where: (_server, field) => `idp.${field === 'url' ? 'issuer' : field.replace(/^oauth\./, '')}`,
  });
  const { url, oauth } = resolved!.entry as typeof entry;
  return { ...idp, issuer: url, clientId: oauth.clientId, ...(oauth.clientSecret !== undefined ? { clientSecret: oauth.clientSecret } : {}) };
}

/** The settings, or the error that says where to put them. */
export async function requireIdpSettings(ctx: Ctx): Promise<IdpSettings> {
  const settings = await ownIdpSettings(ctx);
  if (settings) return settings;
  throw new CliError(
    printable(
      `no enterprise identity provider is set: your own config (${tildePath(configDirectoryFile(ctx)?.location.path ?? '~/.config/mcp-cli/server_config.json', ctx.home)}) has no "idp" block`,
    ),
    1,
    'add "idp": { "issuer": "https://login.example.com", "clientId": "..." } to it (see docs/oauth.md, Enterprise-managed authorization)',
  );
}

function hasIdpBlock(text: string): boolean {
  try {
    const data = JSON.parse(text) as unknown;
    return typeof data === 'object' && data !== null && Object.hasOwn(data, 'idp');
  } catch {
    return false;
  }
}
