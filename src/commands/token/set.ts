import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { fsReason } from '../../fs/errors.js';
import { parseExpiry } from '../../tokens/duration.js';
import { parseClientCertificate } from '../../tokens/client-cert.js';
import { OAUTH_TOKENS_NAMESPACE, PRIMARY_SECRET_FIELD, TOKEN_TYPES, isOAuthNamespace, parseTokenType, type TokenType } from '../../tokens/model.js';
import { changed, warnIfExpired } from '../shared/messages.js';
import { readSecretValue, requireHeaderSafe } from './read-value.js';

export interface SetOptions {
  type: string;
  namespace?: string;
  provider?: string;
  value?: string;
  valueFile?: string;
  expires?: string;
  organization?: string;
  project?: string;
  username?: string;
  cert?: string;
  key?: string;
  ca?: string;
  json?: boolean;
}

/** The types `token set` stores: an OAuth token comes from logging in. */
export const SETTABLE_TYPES = TOKEN_TYPES.filter((t) => t !== 'oauth');

/** The options that apply to some types only, and those types. */
const TYPE_OPTIONS: readonly [option: keyof SetOptions, flag: string, types: readonly TokenType[]][] = [
  ['username', '--username', ['basic']],
  ['organization', '--organization', ['api-key']],
  ['project', '--project', ['api-key']],
  ['cert', '--cert', ['client-cert']],
  ['key', '--key', ['client-cert']],
  ['ca', '--ca', ['client-cert']],
  ['value', '--value', ['bearer', 'api-key', 'basic', 'generic']],
  ['valueFile', '--value-file', ['bearer', 'api-key', 'basic', 'generic']],
];

/** Refuses every option given that does not go with the type, rather than dropping it. */
function requireOptionsFor(type: TokenType, options: SetOptions): void {
  for (const [option, flag, types] of TYPE_OPTIONS) {
    if (options[option] === undefined || types.includes(type)) continue;
    const hint = type === 'client-cert' && (option === 'value' || option === 'valueFile') ? 'a client-cert token is read from --cert and --key' : undefined;
    throw new CliError(`${flag} does not apply to --type ${type} (it goes with ${types.join(', ')})`, 1, hint);
  }
}

export async function run(name: string, options: SetOptions, ctx: Ctx): Promise<void> {
  const type = parseTokenType(options.type);
  if (type === 'oauth') throw new CliError('OAuth tokens are stored by logging in', 1, 'run `mcp-cli auth login SERVER`');
  if (!type) throw new CliError(`unknown token type ${JSON.stringify(options.type)}`, 1, `choose one of: ${SETTABLE_TYPES.join(', ')}`);
  requireOptionsFor(type, options);
  refuseOAuthNamespace(name, type, options.namespace);
  if (type === 'basic' && !options.username) throw new CliError('a basic token needs --username (the password is the value)');
  if (type === 'client-cert' && (!options.cert || !options.key)) throw new CliError('a client-cert token needs --cert FILE and --key FILE (PEM)');
  let expiresAt = options.expires !== undefined ? parseExpiry(options.expires, ctx.now()) : undefined;
  let details = detailsFor(type, options);
  let secret: Record<string, string>;

  const { manager, selection } = await ctx.store();
  if (type === 'client-cert') {
    const certificate = await readClientCertificate(options, ctx);
    secret = certificate.secret;
    expiresAt ??= certificate.expiresAt;
    details = { ...details, ...certificate.details };
  } else {
    const value = await readSecretValue(ctx, options, `Enter token value for '${name}': `);
    requireHeaderSafe(type, value);
    secret = { [PRIMARY_SECRET_FIELD[type]]: value };
  }
  const { metadata, replaced } = await manager.set({ name, type, namespace: options.namespace, provider: options.provider, expiresAt, details, secret });
  warnIfExpired(ctx, metadata);
  changed(
    ctx,
    options,
    replaced ? 'updated' : 'stored',
    [metadata],
    selection.name,
    `${replaced ? 'Updated' : 'Stored'} ${type} token '${metadata.name}' in namespace '${metadata.namespace}' (${selection.name} backend)`,
  );
}

/**
 * Namespaces `oauth` and `oauth-client` hold what logins store, read by `token get NAME --oauth`
 * and `auth status` as a login: a token set by hand there would pass for one and be none.
 */
function refuseOAuthNamespace(name: string, type: TokenType, namespace: string | undefined): void {
  if (namespace === undefined || !isOAuthNamespace(namespace)) return;
  const login = namespace.toLowerCase() === OAUTH_TOKENS_NAMESPACE ? 'OAuth logins' : "OAuth logins' client registrations";
  throw new CliError(
    `namespace '${namespace}' holds ${login}, which only \`mcp-cli auth login\` stores; a ${type} token set there would pass for a login and be none`,
    1,
    `store it in its own namespace (mcp-cli token set ${name} --type ${type}), or log in: mcp-cli auth login SERVER`,
  );
}

function detailsFor(type: TokenType, options: SetOptions): Record<string, string> {
  const details: Record<string, string> = {};
  if (options.organization) details.organization = options.organization;
  if (options.project) details.project = options.project;
  if (type === 'basic' && options.username) details.username = options.username;
  return details;
}

async function readClientCertificate(options: SetOptions, ctx: Ctx) {
  const read = (flag: string, file: string) =>
    readFile(resolve(ctx.cwd, file), 'utf8').catch((error: unknown) => {
      throw new CliError(`cannot read the ${flag} file ${file}: ${fsReason(error)}`, 1, `${flag} takes the path of a PEM file`);
    });
  const [cert, key, ca] = await Promise.all([read('--cert', options.cert!), read('--key', options.key!), options.ca ? read('--ca', options.ca) : undefined]);
  return parseClientCertificate(cert, key, ca, { cert: options.cert!, key: options.key!, ca: options.ca });
}
