import { CliError } from '../errors.js';
import { isTokenType, PRIMARY_SECRET_FIELD, type StoredToken } from '../tokens/model.js';
import { validateIdentifier } from '../tokens/names.js';
import { NativeScryptIdentity, NativeScryptRecipient } from './age-scrypt.js';

/**
 * An export bundle is an age file (passphrase recipient) whose plaintext is
 * `{ "format": "mcp-cli-export", "version": 1, "exportedAt": ISO, "tokens": [{ metadata, secret }] }`.
 * `age -d bundle.age` opens it without mcp-cli. See docs/lifecycle.md.
 */
export const BUNDLE_FORMAT = 'mcp-cli-export';
export const BUNDLE_VERSION = 1;

interface BundlePlaintext {
  format: string;
  version: number;
  exportedAt: string;
  tokens: StoredToken[];
}

export async function sealBundle(tokens: StoredToken[], passphrase: string, now: Date): Promise<Uint8Array> {
  const { Encrypter } = await import('age-encryption');
  const encrypter = new Encrypter();
  encrypter.addRecipient(new NativeScryptRecipient(passphrase));
  const plaintext: BundlePlaintext = { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, exportedAt: now.toISOString(), tokens };
  return encrypter.encrypt(JSON.stringify(plaintext));
}

/** Decrypts and checks a whole bundle; nothing in it is used unless all of it is valid. */
export async function openBundle(data: Uint8Array, passphrase: string, label: string): Promise<{ exportedAt: string; tokens: StoredToken[] }> {
  const { Decrypter } = await import('age-encryption');
  const decrypter = new Decrypter();
  decrypter.addIdentity(new NativeScryptIdentity(passphrase));
  let text: string;
  try {
    text = await decrypter.decrypt(data, 'text');
  } catch (error) {
    const message = (error as Error).message;
    if (/no identity matched/i.test(message))
      throw new CliError(`wrong passphrase for ${label}`, 1, 'check MCP_CLI_EXPORT_PASSPHRASE (or what you typed); nothing was imported');
    throw new CliError(`${label} is not a readable age file (${/^[\w .,'-]{1,80}$/.test(message) ? message : 'damaged'}); nothing was imported`);
  }
  let bundle: BundlePlaintext;
  try {
    bundle = JSON.parse(text) as BundlePlaintext;
  } catch {
    throw new CliError(`${label} does not hold an mcp-cli export; nothing was imported`);
  }
  if (bundle.format !== BUNDLE_FORMAT) throw new CliError(`${label} does not hold an mcp-cli export; nothing was imported`);
  if (bundle.version > BUNDLE_VERSION) throw new CliError(`${label} is export format version ${bundle.version}, from a newer mcp-cli; upgrade to import it`);
  if (!Array.isArray(bundle.tokens)) throw new CliError(`${label} is damaged (no token list); nothing was imported`);
  bundle.tokens.forEach((token, index) => checkToken(token, `${label}: token ${index + 1}`));
  return { exportedAt: bundle.exportedAt, tokens: bundle.tokens };
}

function checkToken(token: StoredToken, where: string): void {
  const m = token?.metadata;
  const bad = (why: string) => new CliError(`${where} is invalid (${why}); nothing was imported`);
  if (!m || typeof m !== 'object') throw bad('no metadata');
  if (!isTokenType(m.type)) throw bad(`unknown type ${JSON.stringify(m.type)}`);
  try {
    validateIdentifier('name', m.name);
    validateIdentifier('namespace', m.namespace);
  } catch (error) {
    throw bad((error as Error).message);
  }
  if (typeof m.createdAt !== 'string' || typeof m.updatedAt !== 'string') throw bad('missing timestamps');
  if (!token.secret || typeof token.secret[PRIMARY_SECRET_FIELD[m.type]] !== 'string') throw bad('missing value');
  if (Object.values(token.secret).some((v) => typeof v !== 'string')) throw bad('a secret field is not a string');
}
