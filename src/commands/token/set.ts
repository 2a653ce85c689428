import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Ctx } from '../../context.js';
import { CliError } from '../../errors.js';
import { fsFailure } from '../../fs/errors.js';
import { parseExpiry } from '../../tokens/duration.js';
import { parseClientCertificate } from '../../tokens/client-cert.js';
import { PRIMARY_SECRET_FIELD, TOKEN_TYPES, parseTokenType, type TokenType } from '../../tokens/model.js';
import { success } from '../shared/messages.js';
import { readSecretValue } from './read-value.js';

export interface SetOptions {
  type: string;
  namespace?: string;
  provider?: string;
  value?: string;
  expires?: string;
  organization?: string;
  project?: string;
  username?: string;
  cert?: string;
  key?: string;
  ca?: string;
}

export async function run(name: string, options: SetOptions, ctx: Ctx): Promise<void> {
  const type = parseTokenType(options.type);
  if (!type) throw new CliError(`unknown token type ${JSON.stringify(options.type)}`, 1, `choose one of: ${TOKEN_TYPES.join(', ')}`);
  if (type === 'oauth') throw new CliError('OAuth tokens are stored by logging in', 1, 'run `mcp-cli auth login SERVER`');
  if (type === 'basic' && !options.username) throw new CliError('a basic token needs --username (the password is the value)');
  if (type !== 'client-cert' && (options.cert || options.key || options.ca)) throw new CliError('--cert, --key and --ca go with --type client-cert');
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
    secret = { [PRIMARY_SECRET_FIELD[type]]: await readSecretValue(ctx, options.value, `Enter token value for '${name}': `) };
  }
  const { metadata, replaced } = await manager.set({ name, type, namespace: options.namespace, provider: options.provider, expiresAt, details, secret });
  success(ctx, `${replaced ? 'Updated' : 'Stored'} ${type} token '${metadata.name}' in namespace '${metadata.namespace}' (${selection.name} backend)`);
}

function detailsFor(type: TokenType, options: SetOptions): Record<string, string> {
  const details: Record<string, string> = {};
  if (options.organization) details.organization = options.organization;
  if (options.project) details.project = options.project;
  if (type === 'basic' && options.username) details.username = options.username;
  return details;
}

async function readClientCertificate(options: SetOptions, ctx: Ctx) {
  if (!options.cert || !options.key) throw new CliError('a client-cert token needs --cert FILE and --key FILE (PEM)');
  if (options.value !== undefined) throw new CliError('a client-cert token takes its value from --cert and --key, not --value');
  const read = (file: string) =>
    readFile(resolve(ctx.cwd, file), 'utf8').catch((error: unknown) => {
      throw fsFailure(error, 'read', file);
    });
  const [cert, key, ca] = await Promise.all([read(options.cert), read(options.key), options.ca ? read(options.ca) : undefined]);
  return parseClientCertificate(cert, key, ca, { cert: options.cert, key: options.key, ca: options.ca });
}
